// The annotation viewer (views/annotation-thread.tsx, src/review/annotation-routes.tsx): renders one page of the
// evidence with pdf.js (or shows the image), draws the annotations as numbered rectangles over it, and lets a
// reviewer drag a new rectangle ("添加批注") that fills the hidden fields of the comment form. Rectangles are
// stored as fractions (0–1) of the page as displayed, origin top-left, so they do not depend on the zoom.
// The thread list and its forms are plain server-rendered htmx; this script only listens for their swaps.

const root = document.getElementById('viewer');
if (root && root.dataset.mode !== 'none') start(root);

function start(root) {
  const mode = root.dataset.mode; // 'pdf' | 'image'
  const src = root.dataset.src || '';
  const pageBox = root.querySelector('.viewer-page');
  const canvas = root.querySelector('.viewer-canvas');
  const img = root.querySelector('.viewer-image');
  const overlay = root.querySelector('.viewer-overlay');
  const stage = root.querySelector('.viewer-stage');
  const status = root.querySelector('.viewer-status');
  const pageInput = root.querySelector('.viewer-page-input');
  const pageCountLabel = root.querySelector('.viewer-page-count');
  const prev = root.querySelector('.viewer-prev');
  const next = root.querySelector('.viewer-next');
  const zoomLabel = root.querySelector('.viewer-zoom-label');
  const addButton = root.querySelector('.viewer-add');
  const hint = root.querySelector('.viewer-hint');
  const form = document.getElementById('annotation-form');

  const state = {
    page: Number(root.dataset.page) || 1,
    pages: Number(root.dataset.pages) || 0,
    versionId: root.dataset.versionId || '',
    zoom: 'fit', // or a scale factor
    scale: 1,
    annotations: [],
    selected: null,
    adding: false,
    pdf: null,
    renderTask: null,
    renderToken: 0,
  };

  root.classList.add('viewer-ready');

  function say(text, isError) {
    status.textContent = text || '';
    status.classList.toggle('error-text', Boolean(isError));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Rendering

  function fitScale(naturalWidth) {
    const available = Math.max(200, stage.clientWidth - 24);
    return Math.min(4, Math.max(0.2, available / naturalWidth));
  }

  function scaleFor(naturalWidth) {
    return state.zoom === 'fit' ? fitScale(naturalWidth) : state.zoom;
  }

  function showScale(scale) {
    state.scale = scale;
    if (zoomLabel) zoomLabel.textContent = Math.round(scale * 100) + '%';
  }

  async function loadPdf() {
    const v = encodeURIComponent(root.dataset.pdfjsVersion || '');
    const pdfjs = await import('/static/pdf.min.mjs?v=' + v);
    pdfjs.GlobalWorkerOptions.workerSrc = '/static/pdf.worker.min.mjs?v=' + v;
    const task = pdfjs.getDocument({
      url: src,
      cMapUrl: '/static/pdfjs/cmaps/',
      cMapPacked: true,
      standardFontDataUrl: '/static/pdfjs/standard_fonts/',
      wasmUrl: '/static/pdfjs/wasm/',
      isEvalSupported: false, // CSP: no eval
    });
    state.pdf = await task.promise;
    state.pages = state.pdf.numPages;
  }

  async function renderPdfPage() {
    const token = ++state.renderToken;
    if (state.renderTask) {
      state.renderTask.cancel();
      try {
        await state.renderTask.promise;
      } catch (e) {
        /* cancelled */
      }
      state.renderTask = null;
    }
    if (token !== state.renderToken) return;
    const page = await state.pdf.getPage(state.page);
    if (token !== state.renderToken) return;
    const natural = page.getViewport({ scale: 1 });
    const scale = scaleFor(natural.width);
    const viewport = page.getViewport({ scale });
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = Math.floor(viewport.width) + 'px';
    canvas.style.height = Math.floor(viewport.height) + 'px';
    const task = page.render({ canvas, viewport, transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : undefined });
    state.renderTask = task;
    showScale(scale);
    drawOverlay();
    try {
      await task.promise;
    } catch (e) {
      if (e && e.name === 'RenderingCancelledException') return;
      throw e;
    } finally {
      if (state.renderTask === task) state.renderTask = null;
    }
    if (token === state.renderToken) {
      canvas.dataset.renderedPage = String(state.page);
      root.dataset.rendered = String(state.page);
    }
  }

  function layoutImage() {
    if (!img.naturalWidth) return;
    const scale = scaleFor(img.naturalWidth);
    img.style.width = Math.floor(img.naturalWidth * scale) + 'px';
    showScale(scale);
  }

  function renderImagePage() {
    return new Promise((resolve, reject) => {
      const url = src.replace('{page}', String(state.page));
      img.onload = () => {
        layoutImage();
        img.alt = '第 ' + state.page + ' 页';
        root.dataset.rendered = String(state.page);
        drawOverlay();
        resolve();
      };
      img.onerror = () => reject(new Error('图片无法加载'));
      if (img.getAttribute('src') === url && img.complete && img.naturalWidth) img.onload();
      else img.src = url;
    });
  }

  async function render() {
    say('');
    delete root.dataset.rendered;
    try {
      if (mode === 'pdf') await renderPdfPage();
      else await renderImagePage();
    } catch (e) {
      say('第 ' + state.page + ' 页无法显示：' + ((e && e.message) || e), true);
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Page navigation and zoom

  function pageUrl(n) {
    const url = new URL(location.href);
    url.searchParams.set('page', String(n));
    url.hash = '';
    return url.pathname + url.search;
  }

  function updateNav() {
    if (pageInput) {
      pageInput.value = String(state.page);
      if (state.pages) pageInput.max = String(state.pages);
    }
    if (pageCountLabel && state.pages) pageCountLabel.textContent = String(state.pages);
    prev.classList.toggle('viewer-disabled', state.page <= 1);
    next.classList.toggle('viewer-disabled', Boolean(state.pages) && state.page >= state.pages);
    prev.href = pageUrl(Math.max(1, state.page - 1));
    next.href = pageUrl(state.pages ? Math.min(state.pages, state.page + 1) : state.page + 1);
    history.replaceState(null, '', pageUrl(state.page) + location.hash);
  }

  function goTo(n) {
    const target = Math.max(1, state.pages ? Math.min(state.pages, n) : n);
    if (target === state.page && root.dataset.rendered) return Promise.resolve();
    state.page = target;
    closeForm();
    updateNav();
    return render();
  }

  prev.addEventListener('click', (e) => {
    e.preventDefault();
    goTo(state.page - 1);
  });
  next.addEventListener('click', (e) => {
    e.preventDefault();
    goTo(state.page + 1);
  });
  if (pageInput) {
    pageInput.addEventListener('change', () => {
      const n = parseInt(pageInput.value, 10);
      if (n > 0) goTo(n);
      else pageInput.value = String(state.page);
    });
  }
  root.querySelectorAll('[data-zoom]').forEach((b) => {
    b.addEventListener('click', () => {
      const how = b.getAttribute('data-zoom');
      if (how === 'fit') state.zoom = 'fit';
      else state.zoom = Math.min(4, Math.max(0.2, state.scale * (how === 'in' ? 1.25 : 0.8)));
      render();
    });
  });
  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    if (state.zoom !== 'fit') return;
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => (mode === 'pdf' ? render() : layoutImage()), 200);
  });
  document.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLElement && e.target.closest('input, textarea, select, [contenteditable]')) return;
    if (e.key === 'ArrowLeft' || e.key === 'PageUp') goTo(state.page - 1);
    else if (e.key === 'ArrowRight' || e.key === 'PageDown') goTo(state.page + 1);
    else if (e.key === 'Escape' && state.adding) setAdding(false);
  });

  // ---------------------------------------------------------------------------------------------------------
  // Annotations: fetch, draw, select

  async function loadAnnotations() {
    try {
      const res = await fetch(root.dataset.annotationsUrl, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      state.annotations = await res.json();
    } catch (e) {
      say('批注加载失败，请刷新页面。', true);
    }
    drawOverlay();
  }

  function pct(v) {
    return (Math.max(0, Math.min(1, v)) * 100).toFixed(4) + '%';
  }

  function drawOverlay() {
    overlay.querySelectorAll('.viewer-rect:not(.viewer-draft)').forEach((el) => el.remove());
    for (const a of state.annotations) {
      if (a.page_no !== state.page || a.version_id !== state.versionId) continue;
      const el = document.createElement('button');
      el.type = 'button';
      el.className = 'viewer-rect' + (a.resolved ? ' viewer-rect-resolved' : '') + (a.id === state.selected ? ' viewer-active' : '');
      el.dataset.annotationId = a.id;
      el.style.left = pct(a.x);
      el.style.top = pct(a.y);
      el.style.width = pct(a.w);
      el.style.height = pct(a.h);
      el.title = '批注 ' + a.number + '：' + a.body.slice(0, 80);
      el.setAttribute('aria-label', '批注 ' + a.number);
      const label = document.createElement('span');
      label.className = 'viewer-rect-num';
      label.textContent = String(a.number);
      el.appendChild(label);
      el.addEventListener('click', (e) => {
        e.stopPropagation();
        select(a.id, { scrollThread: true });
      });
      overlay.appendChild(el);
    }
    root.dataset.rects = String(overlay.querySelectorAll('.viewer-rect:not(.viewer-draft)').length);
  }

  function threadEl(id) {
    return document.getElementById('ann-' + id);
  }

  function applySelection() {
    document.querySelectorAll('.viewer-thread.viewer-active').forEach((el) => el.classList.remove('viewer-active'));
    overlay.querySelectorAll('.viewer-rect:not(.viewer-draft)').forEach((el) => el.classList.toggle('viewer-active', el.dataset.annotationId === state.selected));
    const li = state.selected && threadEl(state.selected);
    if (li) li.classList.add('viewer-active');
    return li;
  }

  async function select(id, opts) {
    state.selected = id;
    const a = state.annotations.find((x) => x.id === id);
    if (a && a.version_id === state.versionId && a.page_no !== state.page) await goTo(a.page_no);
    const li = applySelection();
    if (opts && opts.scrollThread && li) li.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    if (opts && opts.scrollRect) {
      const rect = overlay.querySelector('.viewer-rect.viewer-active');
      if (rect) rect.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    }
  }

  document.addEventListener('click', (e) => {
    const t = e.target;
    if (!(t instanceof Element)) return;
    const li = t.closest('.viewer-thread');
    if (!li || t.closest('form, a, button, textarea, input')) return;
    select(li.dataset.annotationId, { scrollRect: true });
  });
  document.addEventListener('keydown', (e) => {
    const t = e.target;
    if (e.key === 'Enter' && t instanceof Element && t.matches('.viewer-thread')) select(t.dataset.annotationId, { scrollRect: true });
  });

  // The server names the annotation a create/reply/resolve was about (HX-Trigger); the list was just swapped.
  document.addEventListener('annotationsChanged', (e) => {
    const detail = e.detail || {};
    if (detail.id) state.selected = detail.id;
    loadAnnotations().then(applySelection);
  });
  document.addEventListener('htmx:afterSettle', () => applySelection());

  // ---------------------------------------------------------------------------------------------------------
  // Drawing a new rectangle

  let drag = null;
  let draft = null;

  function setAdding(on) {
    state.adding = on;
    root.classList.toggle('viewer-adding', on);
    if (addButton) {
      addButton.setAttribute('aria-pressed', on ? 'true' : 'false');
      addButton.textContent = on ? '取消添加' : '添加批注';
    }
    if (hint) hint.hidden = !on;
    if (!on && !(form && !form.hidden)) removeDraft();
  }

  function removeDraft() {
    if (draft) draft.remove();
    draft = null;
  }

  function closeForm() {
    if (form) form.hidden = true;
    removeDraft();
    drag = null;
  }

  function point(e) {
    const r = overlay.getBoundingClientRect();
    return {
      x: Math.max(0, Math.min(1, (e.clientX - r.left) / r.width)),
      y: Math.max(0, Math.min(1, (e.clientY - r.top) / r.height)),
    };
  }

  function rectOf(a, b) {
    return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y) };
  }

  function placeDraft(r) {
    if (!draft) {
      draft = document.createElement('div');
      draft.className = 'viewer-rect viewer-draft';
      overlay.appendChild(draft);
    }
    draft.style.left = pct(r.x);
    draft.style.top = pct(r.y);
    draft.style.width = pct(r.w);
    draft.style.height = pct(r.h);
  }

  function openForm(r) {
    if (!form) return;
    const x = Math.round(r.x * 1e6) / 1e6;
    const y = Math.round(r.y * 1e6) / 1e6;
    const set = (name, value) => {
      const input = form.querySelector('input[name="' + name + '"]');
      if (input) input.value = value;
    };
    set('x', String(x));
    set('y', String(y));
    set('w', String(Math.floor(Math.min(r.w, 1 - x) * 1e6) / 1e6));
    set('h', String(Math.floor(Math.min(r.h, 1 - y) * 1e6) / 1e6));
    set('page_no', String(state.page));
    set('version_id', state.versionId);
    const where = form.querySelector('.viewer-form-page');
    if (where) where.textContent = String(state.page);
    const errors = document.getElementById('annotation-form-errors');
    if (errors) errors.textContent = '';
    form.hidden = false;
    const body = form.querySelector('textarea[name=body]');
    if (body) body.focus({ preventScroll: true });
    form.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  if (addButton && form) {
    addButton.addEventListener('click', () => {
      if (state.adding || !form.hidden) {
        closeForm();
        setAdding(false);
      } else setAdding(true);
    });
    overlay.addEventListener('pointerdown', (e) => {
      if (!state.adding || (e.pointerType === 'mouse' && e.button !== 0)) return;
      e.preventDefault();
      overlay.setPointerCapture(e.pointerId);
      form.hidden = true;
      removeDraft();
      drag = { id: e.pointerId, start: point(e) };
      placeDraft({ x: drag.start.x, y: drag.start.y, w: 0, h: 0 });
    });
    overlay.addEventListener('pointermove', (e) => {
      if (!drag || e.pointerId !== drag.id) return;
      e.preventDefault();
      placeDraft(rectOf(drag.start, point(e)));
    });
    const finish = (e) => {
      if (!drag || e.pointerId !== drag.id) return;
      const r = rectOf(drag.start, point(e));
      drag = null;
      if (e.type === 'pointercancel' || r.w < 0.01 || r.h < 0.01) {
        removeDraft();
        if (e.type !== 'pointercancel') say('矩形太小，请按住并拖动以框选区域。');
        return;
      }
      say('');
      placeDraft(r);
      setAdding(false);
      openForm(r);
    };
    overlay.addEventListener('pointerup', finish);
    overlay.addEventListener('pointercancel', finish);
    form.querySelector('.viewer-cancel').addEventListener('click', () => {
      closeForm();
      setAdding(false);
    });
    form.addEventListener('htmx:afterRequest', (e) => {
      if (e.detail && e.detail.successful && e.detail.elt === form) {
        const body = form.querySelector('textarea[name=body]');
        if (body) body.value = '';
        closeForm();
      }
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Start

  (async () => {
    say('正在加载…');
    try {
      if (mode === 'pdf') await loadPdf();
    } catch (e) {
      say('文件无法加载：' + ((e && e.message) || e), true);
      return;
    }
    if (state.pages) state.page = Math.min(state.page, state.pages);
    updateNav();
    await Promise.all([render(), loadAnnotations()]);
    const m = /^#ann-([\w-]+)$/.exec(location.hash);
    if (m) select(m[1], { scrollThread: true });
  })();
}
