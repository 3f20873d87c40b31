// FeedMe pages: live processing status, polled the way the seed's frontend does it (1 s,
// doubling up to 10 s) until the transcript is no longer processing.
(function () {
  'use strict';

  function setText(el, value) {
    if (el && el.textContent !== String(value)) el.textContent = String(value);
  }

  function watch(scope) {
    var id = scope.getAttribute('data-live-status');
    var delay = 1000;
    function tick() {
      fetch('/api/v1/feedme/conversations/' + id + '/status', {
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
      })
        .then(function (res) {
          if (!res.ok) throw new Error('HTTP ' + res.status);
          return res.json();
        })
        .then(function (status) {
          var badge = scope.querySelector('[data-field="status"]');
          if (badge) {
            setText(badge, status.processing_status);
            badge.className = 'badge badge-' + status.processing_status;
          }
          setText(scope.querySelector('[data-field="step"]'), status.processing_step || '');
          setText(scope.querySelector('[data-field="examples"]'), status.examples_extracted);
          if (status.processing_status !== 'processing') {
            scope.removeAttribute('data-live-status');
            scope.setAttribute('data-finished', status.processing_status);
            if (scope.hasAttribute('data-reload-when-done')) window.location.reload();
            return;
          }
          setTimeout(tick, delay);
          delay = Math.min(delay * 2, 10000);
        })
        .catch(function () {
          setTimeout(tick, delay);
          delay = Math.min(delay * 2, 10000);
        });
    }
    setTimeout(tick, delay);
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('[data-live-status]').forEach(watch);
  });
})();
