// Small progressive enhancements shared by every page. Pages work without it; with it, status
// areas refresh themselves. No inline scripts anywhere (the Content-Security-Policy forbids them).
(function () {
  'use strict';

  function text(el, value) {
    if (el && el.textContent !== String(value)) el.textContent = String(value);
  }

  // Dashboard: refresh dependency status and queue counts from /health every 5 s.
  function liveDashboard() {
    var cards = document.querySelector('[data-live="/health"]');
    if (!cards) return;
    function refresh() {
      fetch('/health', { headers: { Accept: 'application/json' } })
        .then(function (res) {
          return res.json();
        })
        .then(function (report) {
          var queues = report.queues || {};
          Object.keys(queues).forEach(function (name) {
            var row = document.querySelector('tr[data-queue="' + name + '"]');
            if (!row) return;
            ['waiting', 'active', 'delayed', 'failed'].forEach(function (key) {
              text(
                row.querySelector('[data-count="' + key + '"]'),
                Number(queues[name][key]).toLocaleString('en-US'),
              );
            });
          });
          ['database', 'redis'].forEach(function (dep) {
            var el = cards.querySelector('[data-field="' + dep + '"]');
            if (!el || !report[dep]) return;
            var up = report[dep].status === 'up';
            el.innerHTML = '';
            var dot = document.createElement('span');
            dot.className = 'dot ' + (up ? 'dot-ok' : 'dot-bad');
            el.appendChild(dot);
            el.appendChild(document.createTextNode(up ? 'Up' : 'Down'));
          });
        })
        .catch(function () {
          /* the next tick tries again */
        });
    }
    setInterval(refresh, 5000);
  }

  /** A file input with a drop zone around it: dropped files land in the input, its name shows. */
  function dropZone(input, zone, name) {
    function showName() {
      if (input.files && input.files[0] && name) name.textContent = input.files[0].name;
    }
    input.addEventListener('change', showName);
    ['dragenter', 'dragover'].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add('dragover');
      });
    });
    ['dragleave', 'drop'].forEach(function (type) {
      zone.addEventListener(type, function () {
        zone.classList.remove('dragover');
      });
    });
    zone.addEventListener('drop', function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length > 0) {
        input.files = event.dataTransfer.files;
        showName();
      }
    });
  }

  window.Conveyor = window.Conveyor || {};
  window.Conveyor.dropZone = dropZone;
  document.addEventListener('DOMContentLoaded', liveDashboard);
})();
