// Accounts pages: copy a key shown once, confirm before revoking, and a fetch that sends the
// page session's CSRF token (for page scripts calling the API with the session cookie).
(function () {
  'use strict';

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : null;
  }

  // Conveyor.fetch(url, options): fetch with the X-CSRF-Token header set on non-GET requests.
  function fetchWithCsrf(url, options) {
    var opts = options || {};
    var method = (opts.method || 'GET').toUpperCase();
    var headers = new Headers(opts.headers || {});
    var token = csrfToken();
    if (token && method !== 'GET' && method !== 'HEAD') headers.set('X-CSRF-Token', token);
    return fetch(url, Object.assign({}, opts, { headers: headers, credentials: 'same-origin' }));
  }

  function copyButtons() {
    document.querySelectorAll('[data-copy]').forEach(function (button) {
      button.addEventListener('click', function () {
        var input = document.querySelector(button.getAttribute('data-copy'));
        if (!input) return;
        input.select();
        var done = function () {
          button.textContent = 'Copied';
          setTimeout(function () {
            button.textContent = 'Copy';
          }, 2000);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(done, function () {
            document.execCommand('copy');
            done();
          });
        } else {
          document.execCommand('copy');
          done();
        }
      });
    });
  }

  function confirmForms() {
    document.querySelectorAll('form[data-confirm]').forEach(function (form) {
      form.addEventListener('submit', function (event) {
        if (!window.confirm(form.getAttribute('data-confirm'))) event.preventDefault();
      });
    });
  }

  window.Conveyor = window.Conveyor || {};
  window.Conveyor.csrfToken = csrfToken;
  window.Conveyor.fetch = fetchWithCsrf;
  document.addEventListener('DOMContentLoaded', function () {
    copyButtons();
    confirmForms();
  });
})();
