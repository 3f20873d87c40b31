// Email pages: upload through the API (errors shown in place, drag and drop), live progress on
// the list (polling) and on a job's page (server-sent events, polling where EventSource is
// missing), reloading once the job has finished so its controls and samples are current.
(function () {
  'use strict';

  var FINISHED = ['completed', 'failed', 'cancelled'];

  function fmt(n) {
    return Number(n || 0).toLocaleString('en-US');
  }

  function setText(el, value) {
    if (el && el.textContent !== String(value)) el.textContent = String(value);
  }

  function updateSummary(scope, job) {
    var status = scope.querySelector('[data-field="status"]');
    if (status) {
      setText(status, job.status);
      status.className = 'badge badge-' + job.status;
    }
    setText(scope.querySelector('[data-field="message"]'), job.message);
    setText(scope.querySelector('[data-field="percent"]'), job.progress + '%');
    var bar = scope.querySelector('[data-field="bar"]');
    if (bar) bar.style.width = job.progress + '%';
    ['total', 'done', 'failed', 'pending', 'rate_per_minute'].forEach(function (key) {
      scope.querySelectorAll('[data-count="' + key + '"]').forEach(function (cell) {
        setText(cell, fmt(job[key]));
      });
    });
    setText(
      scope.querySelector('[data-field="eta"]'),
      job.eta_seconds ? fmt(job.eta_seconds) + ' s' : '—',
    );
    setText(scope.querySelector('[data-field="tokens"]'), fmt(job.tokens.total));
    setText(scope.querySelector('[data-field="cost"]'), '$' + job.cost_usd);
  }

  function liveJob() {
    var scope = document.querySelector('[data-live-job]');
    if (!scope) return;
    var id = scope.getAttribute('data-job');
    var initial = scope.querySelector('[data-field="status"]').textContent;
    var problem = document.querySelector('[data-field="error"]');
    function apply(job) {
      updateSummary(scope, job);
      if (problem) {
        setText(problem, job.error || '');
        problem.hidden = !job.error;
      }
      // Finished or paused (or resumed): the controls and samples change, so render them afresh.
      if (
        job.status !== initial &&
        (FINISHED.indexOf(job.status) >= 0 || job.status === 'paused' || initial === 'paused')
      )
        window.location.reload();
    }
    if (window.EventSource) {
      var source = new EventSource('/api/email-generation/jobs/' + id + '/events');
      source.addEventListener('status', function (event) {
        var job = JSON.parse(event.data);
        apply(job);
        if (FINISHED.indexOf(job.status) >= 0) source.close();
      });
      return;
    }
    var timer = setInterval(function () {
      fetch('/api/email-generation/status/' + id, { headers: { Accept: 'application/json' } })
        .then(function (res) {
          return res.ok ? res.json() : null;
        })
        .then(function (job) {
          if (!job) return;
          apply(job);
          if (FINISHED.indexOf(job.status) >= 0) clearInterval(timer);
        })
        .catch(function () {});
    }, 1500);
  }

  function liveList() {
    var list = document.querySelector('[data-live-list]');
    if (!list) return;
    var timer = setInterval(function () {
      fetch('/api/email-generation/jobs?limit=100', { headers: { Accept: 'application/json' } })
        .then(function (res) {
          return res.ok ? res.json() : null;
        })
        .then(function (jobs) {
          if (!jobs) return;
          var live = false;
          jobs.forEach(function (job) {
            var row = list.querySelector('[data-job-id="' + job.job_id + '"]');
            if (row) updateSummary(row, job);
            if (FINISHED.indexOf(job.status) < 0) live = true;
          });
          if (!live) clearInterval(timer);
        })
        .catch(function () {});
    }, 1500);
  }

  function uploadForm() {
    var form = document.querySelector('[data-email-upload-form]');
    if (!form) return;
    var input = form.querySelector('input[type="file"]');
    var zone = form.querySelector('[data-dropzone]');
    var name = form.querySelector('[data-file-name]');
    var error = document.querySelector('[data-testid="email-upload-error"]');
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
      ['template', 'offer', 'sender_role', 'budget_usd'].forEach(function (field) {
        var value = form.elements[field] && form.elements[field].value.trim();
        if (value) data.append(field, value);
      });
      var previewFirst = form.elements.auto_start && form.elements.auto_start.checked;
      if (previewFirst) data.append('auto_start', 'false');
      button.disabled = true;
      setText(button, 'Uploading…');
      error.hidden = true;
      window.Conveyor.fetch('/api/email-generation/upload', { method: 'POST', body: data })
        .then(function (res) {
          return res.json().then(function (body) {
            if (!res.ok)
              throw new Error(Array.isArray(body.message) ? body.message.join(' ') : body.message);
            window.location.assign(previewFirst ? body.links.page + '/preview' : body.links.page);
          });
        })
        .catch(function (failure) {
          error.textContent = failure.message || 'The upload failed.';
          error.hidden = false;
          button.disabled = false;
          setText(button, 'Upload');
        });
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    uploadForm();
    liveList();
    liveJob();
  });
})();
