// Articles pages: submit through the API (errors shown in place), drag and drop, and live status
// (the seed's polling of /api/articles/{id}/status) until the analysis has finished.
(function () {
  'use strict';

  var LIVE = ['pending', 'processing'];
  var STEPS = {
    queued: 'Queued',
    extracting_metadata: 'Extracting the weight…',
    generating_cost_models: 'Generating the cost model…',
  };

  function setText(el, value) {
    if (el && el.textContent !== String(value)) el.textContent = String(value);
  }

  function articleForm() {
    var form = document.querySelector('[data-article-form]');
    if (!form) return;
    var input = form.querySelector('input[name="productSpecification"]');
    var zone = form.querySelector('[data-dropzone]');
    var name = form.querySelector('[data-file-name]');
    var error = document.querySelector('[data-testid="article-error"]');
    var button = form.querySelector('button[type="submit"]');
    window.Conveyor.dropZone(input, zone, name);
    form.addEventListener('submit', function (event) {
      if (!window.Conveyor || !window.Conveyor.fetch || !window.FormData) return;
      event.preventDefault();
      if (!input.files || input.files.length === 0) {
        error.textContent = 'Choose the product specification first.';
        error.hidden = false;
        return;
      }
      var data = new FormData();
      data.append('articleName', form.elements.articleName.value.trim());
      var description = form.elements.description.value.trim();
      if (description) data.append('description', description);
      data.append('productSpecification', input.files[0]);
      var drawing = form.elements.drawing;
      if (drawing && drawing.files && drawing.files[0]) data.append('drawing', drawing.files[0]);
      button.disabled = true;
      setText(button, 'Submitting…');
      error.hidden = true;
      window.Conveyor.fetch('/api/analyze', { method: 'POST', body: data })
        .then(function (res) {
          return res.json().then(function (body) {
            if (!res.ok)
              throw new Error(Array.isArray(body.message) ? body.message.join(' ') : body.message);
            window.location.assign(body.links.page);
          });
        })
        .catch(function (failure) {
          error.textContent = failure.message || 'The submission failed.';
          error.hidden = false;
          button.disabled = false;
          setText(button, 'Analyse');
        });
    });
  }

  function liveArticle() {
    var scope = document.querySelector('[data-live-article]');
    if (!scope) return;
    var id = scope.getAttribute('data-article');
    var badge = scope.querySelector('[data-field="status"]');
    var step = scope.querySelector('[data-field="step"]');
    function tick() {
      fetch('/api/articles/' + id + '/status', { headers: { Accept: 'application/json' } })
        .then(function (res) {
          if (!res.ok) throw new Error('HTTP ' + res.status);
          return res.json();
        })
        .then(function (status) {
          setText(badge, status.processing_status);
          badge.className = 'badge badge-' + status.processing_status;
          setText(step, STEPS[status.processing_step] || 'Analysing product specification…');
          if (LIVE.indexOf(status.processing_status) < 0) {
            scope.removeAttribute('data-live-article');
            // The weight, the chart and the buttons come with a fresh render.
            window.location.reload();
            return;
          }
          setTimeout(tick, 1500);
        })
        .catch(function () {
          setTimeout(tick, 4000);
        });
    }
    setTimeout(tick, 1000);
  }

  function liveList() {
    var list = document.querySelector('[data-live-list]');
    if (!list) return;
    function tick() {
      fetch('/api/articles?limit=100', { headers: { Accept: 'application/json' } })
        .then(function (res) {
          return res.json();
        })
        .then(function (page) {
          var live = false;
          page.items.forEach(function (article) {
            var row = list.querySelector('tr[data-article-id="' + article.id + '"]');
            if (!row) return;
            var badge = row.querySelector('[data-field="status"]');
            setText(badge, article.processing_status);
            badge.className = 'badge badge-' + article.processing_status;
            setText(row.querySelector('[data-field="step"]'), STEPS[article.processing_step] || '');
            setText(
              row.querySelector('[data-field="weight"]'),
              article.unit_weight === null ? '—' : article.unit_weight + ' kg',
            );
            if (LIVE.indexOf(article.processing_status) >= 0) live = true;
          });
          if (live) setTimeout(tick, 2000);
        })
        .catch(function () {
          setTimeout(tick, 5000);
        });
    }
    setTimeout(tick, 1000);
  }

  document.addEventListener('DOMContentLoaded', function () {
    articleForm();
    liveArticle();
    liveList();
  });
})();
