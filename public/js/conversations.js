// Chat page: sends messages through the API, follows each answer over SSE (polling JSON when SSE
// fails), shows citations, and on reload resumes an answer still being written. Every event has an
// id (its sequence); an event at or below the last id shown is ignored, so nothing shows twice.
(function () {
  'use strict';

  var root = document.querySelector('[data-chat]');
  document.querySelectorAll('[data-autosubmit]').forEach(function (select) {
    select.addEventListener('change', function () {
      select.form.submit();
    });
  });
  if (!root) return;

  var log = root.querySelector('[data-chat-log]');
  var statusLine = root.querySelector('[data-chat-status]');
  var form = root.querySelector('[data-chat-form]');
  var stopButton = root.querySelector('[data-chat-stop]');
  var sendError = document.querySelector('[data-send-error]');
  var current = null;

  function api(url, options) {
    var call = window.Conveyor && window.Conveyor.fetch ? window.Conveyor.fetch : fetch;
    return call(url, options);
  }

  function setStatus(text) {
    statusLine.textContent = text || '';
  }

  function bubble(role, text) {
    var empty = log.querySelector('[data-chat-empty]');
    if (empty) empty.remove();
    var node = document.createElement('div');
    node.className = 'chat-msg ' + (role === 'user' ? 'chat-user' : 'chat-bot');
    node.setAttribute('data-role', role);
    var body = document.createElement('div');
    body.className = 'chat-text';
    body.textContent = text || '';
    node.appendChild(body);
    log.appendChild(node);
    log.scrollTop = log.scrollHeight;
    return node;
  }

  // Follows one answer from `cursor`; renders each event once.
  function follow(streamId, node) {
    var state = { id: streamId, cursor: 0, done: false, source: null, timer: null, errors: 0 };
    var text = node.querySelector('.chat-text');
    var citations = null;
    current = state;
    node.setAttribute('data-stream', streamId);
    stopButton.disabled = false;
    setStatus('Writing…');

    function finish(message) {
      state.done = true;
      if (state.source) state.source.close();
      if (state.timer) clearTimeout(state.timer);
      stopButton.disabled = true;
      node.setAttribute('data-finished', 'true');
      setStatus(message || '');
    }

    function handle(event) {
      if (event.id <= state.cursor || state.done) return;
      state.cursor = event.id;
      node.setAttribute('data-cursor', String(event.id));
      var data = event.data || {};
      if (event.event === 'token') {
        text.textContent += data.token;
        log.scrollTop = log.scrollHeight;
      } else if (event.event === 'citation') {
        if (!citations) {
          citations = document.createElement('ol');
          citations.className = 'chat-citations small';
          citations.setAttribute('data-testid', 'citations');
          node.appendChild(citations);
        }
        var item = document.createElement('li');
        item.textContent = data.question + (data.source ? ' · ' + data.source : '');
        item.title = 'score ' + data.score;
        citations.appendChild(item);
      } else if (event.event === 'flow' && data.status === 'selected') {
        setStatus('Writing… (' + data.flow + ' flow)');
      } else if (event.event === 'done') {
        finish(data.stopped ? 'Stopped.' : '');
      } else if (event.event === 'error') {
        node.classList.add('chat-failed');
        finish('The answer failed: ' + data.message);
      }
    }

    function poll() {
      if (state.done) return;
      fetch('/api/stream-events/' + streamId + '?last_event_id=' + state.cursor, {
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
      })
        .then(function (res) {
          if (!res.ok) throw new Error('HTTP ' + res.status);
          return res.json();
        })
        .then(function (body) {
          body.events.forEach(handle);
          if (!state.done && body.session_status !== 'active' && !body.has_more) finish('');
          if (!state.done) state.timer = setTimeout(poll, body.events.length > 0 ? 100 : 500);
        })
        .catch(function () {
          if (!state.done) state.timer = setTimeout(poll, 2000);
        });
    }

    if (!window.EventSource || root.hasAttribute('data-force-polling')) {
      poll();
      return state;
    }
    // EventSource resends the last id it saw as Last-Event-ID when it reconnects by itself.
    var source = new EventSource('/api/stream-events/' + streamId + '?last_event_id=0');
    state.source = source;
    ['start', 'flow', 'citation', 'token', 'error', 'done'].forEach(function (name) {
      source.addEventListener(name, function (message) {
        state.errors = 0;
        handle(JSON.parse(message.data));
      });
    });
    source.onerror = function () {
      if (state.done) return;
      state.errors += 1;
      if (state.errors >= 3 || source.readyState === EventSource.CLOSED) {
        source.close();
        state.source = null;
        setStatus('Live connection lost; following by polling…');
        poll();
      }
    };
    return state;
  }

  if (root.hasAttribute('data-active-stream')) {
    follow(root.getAttribute('data-active-stream'), bubble('assistant', ''));
  }

  if (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var input = form.querySelector('textarea');
      var message = input.value.trim();
      if (!message) return;
      sendError.hidden = true;
      var body = { chatbot_id: root.getAttribute('data-chatbot'), message_text: message };
      if (root.hasAttribute('data-session')) body.session_id = root.getAttribute('data-session');
      form.querySelector('button[type=submit]').disabled = true;
      api('/api/process-message', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      })
        .then(function (res) {
          return res.json().then(function (json) {
            if (!res.ok) throw new Error(json.message || 'HTTP ' + res.status);
            return json;
          });
        })
        .then(function (started) {
          input.value = '';
          root.setAttribute('data-session', started.session_id);
          // A reload reopens this conversation and resumes the answer.
          history.replaceState(null, '', '/chat?session=' + started.session_id);
          bubble('user', message);
          follow(started.streaming_session_id, bubble('assistant', ''));
        })
        .catch(function (error) {
          sendError.textContent = 'Could not send: ' + error.message;
          sendError.hidden = false;
        })
        .finally(function () {
          form.querySelector('button[type=submit]').disabled = false;
        });
    });
  }

  if (stopButton) {
    stopButton.addEventListener('click', function () {
      if (!current || current.done) return;
      stopButton.disabled = true;
      api('/api/stream-events/' + current.id + '/stop', { method: 'POST' });
    });
  }
})();
