// Uploads pages: upload through the API (errors shown in place), and live progress on the list
// and on an upload's page (polling the JSON API every 1.5 s until the upload has finished).
(function () {
  'use strict';

  var FINISHED = ['completed', 'failed', 'cancelled'];

  function fmt(n) {
    return Number(n || 0).toLocaleString('en-US');
  }

  function setText(el, value) {
    if (el && el.textContent !== String(value)) el.textContent = String(value);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function updateSummary(scope, upload) {
    var status = scope.querySelector('[data-field="status"]');
    if (status) {
      setText(status, upload.status);
      status.className = 'badge badge-' + upload.status;
    }
    setText(scope.querySelector('[data-field="phase"]'), upload.phase);
    setText(scope.querySelector('[data-field="percent"]'), upload.progress.percent + '%');
    var bar = scope.querySelector('[data-field="bar"]');
    if (bar) bar.style.width = upload.progress.percent + '%';
    Object.keys(upload.counts).forEach(function (key) {
      scope.querySelectorAll('[data-count="' + key + '"]').forEach(function (cell) {
        setText(cell, fmt(upload.counts[key]));
      });
    });
  }

  function websiteRow(site) {
    var tr = el('tr');
    tr.setAttribute('data-website-id', site.id);
    var url = el('td', 'cell-url');
    var link = el('a', null, site.host);
    link.href = site.url;
    link.rel = 'noopener noreferrer nofollow';
    link.target = '_blank';
    url.appendChild(link);
    url.appendChild(
      el(
        'div',
        'muted small',
        'row ' +
          site.firstRowNumber +
          (site.rowCount > 1 ? ' +' + site.rowCount : '') +
          ' · ' +
          site.source,
      ),
    );
    var status = el('td');
    var badge = site.outcome || site.status;
    status.appendChild(el('span', 'badge badge-' + badge, badge));
    if (site.outcomeDetail) status.appendChild(el('div', 'muted small', site.outcomeDetail));
    if (site.error) status.appendChild(el('div', 'error-text small', site.error));
    var title = el('td');
    if (site.title) title.textContent = site.title;
    else title.appendChild(el('span', 'muted', '—'));
    var message = el('td', 'cell-message');
    if (site.message) {
      message.appendChild(el('div', 'message', site.message));
      if (site.messageBasis === 'row-fields')
        message.appendChild(el('div', 'muted small', site.messageNote));
    } else {
      message.appendChild(el('span', 'muted', '—'));
    }
    [url, status, title, message].forEach(function (td) {
      tr.appendChild(td);
    });
    return tr;
  }

  function liveUpload() {
    var scope = document.querySelector('[data-live-upload]');
    if (!scope) return;
    var id = scope.getAttribute('data-upload');
    var rows = document.querySelector('[data-website-rows]');
    var retry = document.querySelector('[data-field="retry"]');
    function tick() {
      fetch('/api/uploads/' + id + '?websitesLimit=500', {
        headers: { Accept: 'application/json' },
      })
        .then(function (res) {
          if (!res.ok) throw new Error('HTTP ' + res.status);
          return res.json();
        })
        .then(function (upload) {
          updateSummary(document, upload);
          if (rows && upload.websites.length > 0) {
            var fragment = document.createDocumentFragment();
            upload.websites.forEach(function (site) {
              fragment.appendChild(websiteRow(site));
            });
            rows.replaceChildren(fragment);
          }
          if (retry)
            retry.disabled =
              upload.counts.failed + upload.counts.messageFailures === 0 &&
              upload.status !== 'paused';
          if (FINISHED.indexOf(upload.status) >= 0) {
            scope.removeAttribute('data-live-upload');
            scope.setAttribute('data-finished', '');
            // Buttons and notices that depend on the final state come with a fresh render.
            setTimeout(function () {
              window.location.reload();
            }, 300);
            return;
          }
          setTimeout(tick, 1500);
        })
        .catch(function () {
          setTimeout(tick, 4000);
        });
    }
    setTimeout(tick, 800);
  }

  function liveList() {
    var list = document.querySelector('[data-live-list]');
    if (!list) return;
    function tick() {
      fetch('/api/uploads?limit=100', { headers: { Accept: 'application/json' } })
        .then(function (res) {
          return res.json();
        })
        .then(function (uploads) {
          var live = false;
          uploads.forEach(function (upload) {
            var row = list.querySelector('tr[data-upload-id="' + upload.id + '"]');
            if (row) updateSummary(row, upload);
            if (FINISHED.indexOf(upload.status) < 0) live = true;
          });
          if (live) setTimeout(tick, 2000);
        })
        .catch(function () {
          setTimeout(tick, 5000);
        });
    }
    setTimeout(tick, 1000);
  }

  function uploadForm() {
    var form = document.querySelector('[data-upload-form]');
    if (!form) return;
    var input = form.querySelector('input[type="file"]');
    var zone = form.querySelector('[data-dropzone]');
    var name = form.querySelector('[data-file-name]');
    var error = document.querySelector('[data-testid="upload-error"]');
    var button = form.querySelector('button[type="submit"]');
    window.Conveyor.dropZone(input, zone, name);
    form.addEventListener('submit', function (event) {
      if (!window.Conveyor || !window.Conveyor.fetch || !window.FormData) return;
      event.preventDefault();
      if (!input.files || input.files.length === 0) {
        error.textContent = 'Choose a CSV or XLSX file first.';
        error.hidden = false;
        return;
      }
      var data = new FormData();
      data.append('file', input.files[0]);
      ['template', 'offer'].forEach(function (field) {
        var value = form.elements[field] && form.elements[field].value.trim();
        if (value) data.append(field, value);
      });
      button.disabled = true;
      setText(button, 'Uploading…');
      error.hidden = true;
      window.Conveyor.fetch('/api/upload-from-frontend', { method: 'POST', body: data })
        .then(function (res) {
          return res.json().then(function (body) {
            if (!res.ok)
              throw new Error(Array.isArray(body.message) ? body.message.join(' ') : body.message);
            window.location.assign(body.links.page);
          });
        })
        .catch(function (failure) {
          error.textContent = failure.message || 'The upload failed.';
          error.hidden = false;
          button.disabled = false;
          setText(button, 'Upload and start');
        });
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    uploadForm();
    liveList();
    liveUpload();
  });
})();
