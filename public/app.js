// Progressive enhancement for upload forms ([data-upload]): drag and drop, one request per file with its own
// progress bar and result. Without JavaScript the same form posts all files at once.
(function () {
  'use strict';

  function li(text, cls) {
    var el = document.createElement('li');
    el.className = cls || '';
    el.textContent = text;
    return el;
  }

  function uploadOne(form, file, list) {
    return new Promise(function (resolve) {
      var row = li('', 'uploading');
      var name = document.createElement('span');
      name.className = 'name';
      name.textContent = file.name;
      var bar = document.createElement('progress');
      bar.max = 100;
      bar.value = 0;
      var status = document.createElement('span');
      status.className = 'status';
      status.textContent = '等待上传…';
      row.append(name, bar, status);
      list.appendChild(row);

      var data = new FormData();
      form.querySelectorAll('input[type=hidden]').forEach(function (h) { data.append(h.name, h.value); });
      data.append('file', file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.getAttribute('action'));
      xhr.setRequestHeader('Accept', 'application/json');
      var token = document.querySelector('meta[name=csrf-token]');
      if (token) xhr.setRequestHeader('x-csrf-token', token.content);
      // A failed file gets no (full, blue) progress bar: its slot says it was not stored.
      function failBar() {
        var mark = document.createElement('span');
        mark.className = 'failed-mark';
        mark.textContent = '未保存';
        bar.replaceWith(mark);
      }
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((e.loaded / e.total) * 100);
          status.textContent = bar.value + '%';
        }
      };
      xhr.onload = function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        var r = body && body.results && body.results[0];
        if (r && r.ok) {
          bar.value = 100;
          // A duplicate is not an error: the existing document was reused (and linked).
          row.className = r.duplicate ? 'ok duplicate' : 'ok';
          status.textContent = r.message;
          var a = document.createElement('a');
          a.href = '/documents/' + r.documentId;
          a.textContent = '查看';
          row.appendChild(a);
        } else {
          // No full progress bar for a file that was not stored.
          row.className = 'error';
          failBar();
          status.textContent = (r && r.reason) || (body && body.error) || ('上传失败（' + xhr.status + '）');
        }
        resolve(r && r.ok);
      };
      xhr.onerror = function () {
        row.className = 'error';
        failBar();
        status.textContent = '网络中断，文件未保存，请重新上传';
        resolve(false);
      };
      xhr.send(data);
    });
  }

  function enhance(form) {
    var input = form.querySelector('input[type=file]');
    var list = form.querySelector('.upload-list');
    form.classList.add('enhanced');
    async function send(files) {
      var anyOk = false;
      var anyFailed = false;
      for (var i = 0; i < files.length; i++) {
        if (await uploadOne(form, files[i], list)) anyOk = true;
        else anyFailed = true;
      }
      if (anyOk) {
        // Refresh whatever shows the uploaded files (htmx target or the page itself).
        var refresh = form.getAttribute('data-refresh');
        if (refresh && window.htmx) window.htmx.trigger(document.querySelector(refresh), 'refresh');
        else if (!refresh && !anyFailed) setTimeout(function () { location.reload(); }, 1200);
        else if (!refresh) {
          // A reload would wipe the reasons files were refused: the user reloads when done reading.
          var again = document.createElement('button');
          again.type = 'button';
          again.className = 'upload-refresh';
          again.textContent = '查看已上传的文件（刷新列表）';
          again.addEventListener('click', function () { location.reload(); });
          list.appendChild(again);
        }
      }
    }
    // A zone for exactly one file (e.g. a new version) refuses a multi-file drop instead of making one
    // version per file.
    var single = !input.multiple;
    function accept(files) {
      if (single && files.length > 1) {
        var row = li('一次只能上传一个文件作为新版本，您选择了 ' + files.length + ' 个文件，均未上传。请只拖入一个文件。', 'error refused');
        row.setAttribute('role', 'alert');
        list.appendChild(row);
        return;
      }
      send(files);
    }
    input.addEventListener('change', function () {
      if (input.files && input.files.length) accept(Array.prototype.slice.call(input.files));
      input.value = '';
    });
    form.addEventListener('submit', function (e) { e.preventDefault(); });
    ['dragenter', 'dragover'].forEach(function (t) {
      form.addEventListener(t, function (e) { e.preventDefault(); form.classList.add('dragging'); });
    });
    ['dragleave', 'drop'].forEach(function (t) {
      form.addEventListener(t, function (e) { e.preventDefault(); form.classList.remove('dragging'); });
    });
    form.addEventListener('drop', function (e) {
      if (e.dataTransfer && e.dataTransfer.files.length) accept(Array.prototype.slice.call(e.dataTransfer.files));
    });
  }

  function init(root) {
    (root || document).querySelectorAll('form[data-upload]:not(.enhanced)').forEach(enhance);
  }
  document.addEventListener('DOMContentLoaded', function () { init(document); });
  document.addEventListener('htmx:afterSettle', function (e) { init(e.target); });
})();

// Buttons with data-confirm ask first; a form posted normally disables its buttons so a double click cannot
// send it twice (the server rejects a second submission anyway, with a clear message).
(function () {
  'use strict';
  document.addEventListener('click', function (e) {
    var btn = e.target instanceof Element ? e.target.closest('[data-confirm]') : null;
    if (btn && !window.confirm(btn.getAttribute('data-confirm'))) e.preventDefault();
  });
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (e.defaultPrevented || !(form instanceof HTMLFormElement) || form.hasAttribute('hx-post') || form.method.toLowerCase() !== 'post') return;
    setTimeout(function () {
      form.querySelectorAll('button[type=submit]').forEach(function (b) { b.disabled = true; });
    }, 0);
  });
})();

// htmx does not swap 4xx/5xx answers, so without this a rejected form looks as if nothing happened. Every
// htmx form shows the server's message in its own error region instead (one mechanism for the whole app);
// the form is not replaced, so what the user typed stays put.
(function () {
  'use strict';

  /** The readable message of an error answer: the fragment's error flash, a JSON error, or a generic text. */
  function messageOf(xhr) {
    var text = xhr.responseText || '';
    var type = xhr.getResponseHeader('content-type') || '';
    if (type.indexOf('json') >= 0) {
      try {
        var body = JSON.parse(text);
        if (body && typeof body.error === 'string') return [body.error];
      } catch (e) { /* fall through */ }
    } else if (type.indexOf('html') >= 0 && text) {
      var doc = new DOMParser().parseFromString(text, 'text/html');
      var flash = doc.querySelector('.flash.error, [role=alert]');
      if (flash) {
        var lines = Array.prototype.map.call(flash.querySelectorAll(':scope > div'), function (d) { return d.textContent.trim(); }).filter(Boolean);
        return lines.length ? lines : [flash.textContent.trim()];
      }
      var p = doc.querySelector('.error-page p');
      if (p) return [p.textContent.trim()];
    }
    if (xhr.status === 413) return ['提交的内容过大。'];
    if (xhr.status === 401) return ['登录已过期，请刷新页面后重新登录。'];
    return ['操作未完成（错误 ' + xhr.status + '），请稍后重试。'];
  }

  /** The error region of a form (created at its end when the form has none); the page's flash area otherwise. */
  function regionFor(elt) {
    var form = elt && elt.closest ? elt.closest('form') : null;
    if (!form) return document.getElementById('flash-area');
    var region = form.querySelector('.form-errors');
    if (!region) {
      region = document.createElement('div');
      region.className = 'form-errors';
      form.appendChild(region);
    }
    return region;
  }

  function show(elt, lines) {
    var region = regionFor(elt);
    if (!region) return;
    var box = document.createElement('div');
    box.className = 'flash error';
    box.setAttribute('role', 'alert');
    lines.forEach(function (l) {
      var d = document.createElement('div');
      d.textContent = l;
      box.appendChild(d);
    });
    region.replaceChildren(box);
    if (region.id === 'flash-area') region.scrollIntoView({ block: 'nearest' });
  }

  function eltOf(e) {
    return (e.detail.requestConfig && e.detail.requestConfig.elt) || e.detail.elt;
  }

  document.addEventListener('htmx:beforeSwap', function (e) {
    if (e.detail.xhr.status < 400) return;
    e.detail.shouldSwap = false;
    show(eltOf(e), messageOf(e.detail.xhr));
  });
  document.addEventListener('htmx:sendError', function (e) {
    show(eltOf(e), ['网络中断，未能提交，请检查网络后重试。']);
  });
  // A new attempt clears the previous message.
  document.addEventListener('htmx:beforeRequest', function (e) {
    var elt = eltOf(e);
    var form = elt && elt.closest ? elt.closest('form') : null;
    var region = form && form.querySelector('.form-errors');
    if (region) region.replaceChildren();
  });
})();

// Narrow screens stack the item panel under the long tree: after a tree click loads it, bring it into view
// (only when it is off screen, so wide layouts do not jump) and move focus to its heading.
(function () {
  'use strict';
  document.addEventListener('htmx:afterSettle', function (e) {
    var elt = e.detail.requestConfig && e.detail.requestConfig.elt;
    if (!elt || !elt.closest || !elt.closest('nav.tree')) return;
    var panel = document.getElementById('item-panel');
    if (!panel) return;
    var heading = panel.querySelector('h2') || panel;
    var r = panel.getBoundingClientRect();
    var visible = r.top < window.innerHeight && r.bottom > 0 && r.left < window.innerWidth && r.right > 0;
    if (!visible) panel.scrollIntoView({ block: 'start' });
    if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  });
})();
