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
        bar.value = 100;
        if (r && r.ok) {
          row.className = 'ok';
          status.textContent = r.message;
          var a = document.createElement('a');
          a.href = '/documents/' + r.documentId;
          a.textContent = '查看';
          row.appendChild(a);
        } else {
          row.className = 'error';
          status.textContent = (r && r.reason) || (body && body.error) || ('上传失败（' + xhr.status + '）');
        }
        resolve(r && r.ok);
      };
      xhr.onerror = function () {
        row.className = 'error';
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
      for (var i = 0; i < files.length; i++) {
        if (await uploadOne(form, files[i], list)) anyOk = true;
      }
      if (anyOk) {
        // Refresh whatever shows the uploaded files (htmx target or the page itself).
        var refresh = form.getAttribute('data-refresh');
        if (refresh && window.htmx) window.htmx.trigger(document.querySelector(refresh), 'refresh');
        else if (!refresh) setTimeout(function () { location.reload(); }, 1200);
      }
    }
    input.addEventListener('change', function () {
      if (input.files && input.files.length) send(Array.prototype.slice.call(input.files));
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
      if (e.dataTransfer && e.dataTransfer.files.length) send(Array.prototype.slice.call(e.dataTransfer.files));
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
