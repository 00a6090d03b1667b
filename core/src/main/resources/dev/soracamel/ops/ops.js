// The operator page. Everything shown that came from outside (prompts, the provider's comments, messages,
// ids) is set as text (textContent), never parsed as HTML. No library: the page loads nothing but its own files.
'use strict';
(function () {
  // both come from the server's summary (sora.ops.refresh, sora.ops.page-size): until it answers, pages are
  // asked for without a limit (the server's default applies) and a failed first look is tried again in a second
  var refreshMs = null;
  var pageSize = null;
  // keyset paging: the cursors of the pages we came through, newest first; null is the newest page
  var jobs = { stack: [null], state: '', last: '' };
  var dead = { stack: [null], last: '' };
  // what a Redrive answered, kept across refreshes: job id -> {status, body, consent}
  var answers = {};

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function td(tr, text, cls) { var c = el('td', text, cls); tr.appendChild(c); return c; }
  function time(iso) { return iso ? new Date(iso).toLocaleTimeString() : ''; }
  function cost(j) { return j.estimated_cost === null || j.estimated_cost === undefined ? '' : j.estimated_cost + ' ' + (j.currency || ''); }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function getJson(url) {
    return fetch(url, { cache: 'no-store', credentials: 'same-origin' }).then(function (r) {
      return r.text().then(function (t) {
        var body = null;
        try { body = JSON.parse(t); } catch (e) { body = null; }
        if (!r.ok) { throw new Error(url + ': HTTP ' + r.status + (body && body.message ? ' ' + body.message : '')); }
        return body;
      });
    });
  }

  function status(text, bad) {
    var s = document.getElementById('status');
    s.textContent = text;
    s.className = bad ? 'status bad' : 'status';
  }

  // ------------------------------------------------------------------ summary

  function renderSummary(s) {
    refreshMs = s.refresh_ms;
    pageSize = s.page_size;
    document.getElementById('progress-line').textContent = s.progress_line;
    document.getElementById('node').textContent = s.node;
    var body = document.querySelector('#accounts tbody');
    clear(body);
    s.providers.forEach(function (p) {
      var tr = el('tr');
      tr.setAttribute('data-provider', p.name);
      td(tr, p.name);
      var slots = td(tr, null, 'slots');
      var meter = el('span', null, p.active >= p.limit ? 'meter full' : 'meter');
      var fill = el('span');
      fill.style.width = (p.limit > 0 ? Math.min(100, 100 * p.active / p.limit) : 0) + '%';
      meter.appendChild(fill);
      slots.appendChild(meter);
      var active = el('span', p.active, 'active');
      slots.appendChild(active);
      slots.appendChild(document.createTextNode(' / '));
      slots.appendChild(el('span', p.limit, 'limit'));
      td(tr, p.queued, 'queued');
      var polling = td(tr, p.polling, 'polling');
      (p.learned || []).forEach(function (l) {
        var how = l.from_progress ? 'from the percent done'
            : (l.first_check_s == null ? 'not learned yet' : 'first check ' + l.first_check_s + ' s');
        polling.appendChild(el('div', l['class'] + ': ' + how + ' (' + l.first_checks_done + '/' + l.first_checks
            + ' first checks found it done)', 'note learned'));
      });
      td(tr, p.api_calls_last_minute, 'calls');
      td(tr, p.downloads_last_minute, 'downloads');
      if (p.paused) {
        var c = td(tr, null, 'paused');
        c.appendChild(el('div', p.pause_code + ' since ' + time(p.paused_since)));
        c.appendChild(el('div', p.pause_message, 'note'));
      } else {
        td(tr, 'no');
      }
      body.appendChild(tr);
    });
    var sp = s.spend || {};
    var box = document.getElementById('spend');
    clear(box);
    var cbody = document.querySelector('#spend-customers tbody');
    clear(cbody);
    if (!sp.enabled) {
      box.appendChild(el('p', 'Spend control is off (no price table).', 'note'));
      return;
    }
    box.appendChild(el('p', 'Committed today (' + sp.day + ', ' + sp.time_zone + '): ' + sp.committed + ' ' + sp.currency
      + (sp.daily_budget ? ' of a daily budget of ' + sp.daily_budget + ' ' + sp.currency : ' (no daily budget)')
      + (sp.pending !== '0.00' ? '; ' + sp.pending + ' pending (submits not yet answered)' : ''), 'spend-total'));
    sp.customers.forEach(function (c) {
      var tr = el('tr');
      td(tr, c.customer_id);
      td(tr, c.committed + ' ' + sp.currency);
      td(tr, c.pending + ' ' + sp.currency);
      td(tr, sp.customer_daily_budget ? sp.customer_daily_budget + ' ' + sp.currency : 'none');
      cbody.appendChild(tr);
    });
    if (sp.customers_total > sp.customers.length) {
      box.appendChild(el('p', (sp.customers_total - sp.customers.length) + ' more customers spent less today.', 'note'));
    }
  }

  // ------------------------------------------------------------------ dead letters and Redrive

  // the redrive API's 409 DOUBLE_PAYMENT_NOT_ACCEPTED: the provider may already hold a paid task for the job
  function needsConsent(status, body) {
    return status === 409 && !!body && body.code === 'DOUBLE_PAYMENT_NOT_ACCEPTED';
  }

  function redrive(id, accept) {
    answers[id] = { pending: true };
    dead.last = '';
    renderDeadAgain();
    fetch('/jobs/' + encodeURIComponent(id) + '/redrive', {
      method: 'POST', credentials: 'same-origin', cache: 'no-store',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(accept ? { accept_possible_double_payment: true } : {})
    }).then(function (r) {
      return r.text().then(function (t) {
        var body = null;
        try { body = JSON.parse(t); } catch (e) { body = null; }
        answers[id] = { status: r.status, body: body, text: t, consent: needsConsent(r.status, body) };
      });
    }).catch(function (e) {
      answers[id] = { status: 0, text: 'no answer: ' + e.message };
    }).then(function () { dead.last = ''; renderDeadAgain(); });
  }

  // the answers stay on the page after their job has left the dead letters (a redrive that worked does that)
  function renderAnswers() {
    var list = document.getElementById('answers');
    clear(list);
    Object.keys(answers).forEach(function (id) {
      list.appendChild(answerBlock(id));
    });
  }

  function answerBlock(id) {
    var a = answers[id];
    var box = el('div', null, 'redrive-answer');
    box.setAttribute('data-job', id);
    box.appendChild(el('div', 'Redrive of ' + id, 'answer-job'));
    if (!a) { return box; }
    if (a.pending) { box.appendChild(el('div', 'sending…', 'note')); return box; }
    var shown = a.body ? JSON.stringify(a.body, null, 1) : a.text;
    box.appendChild(el('div', 'HTTP ' + a.status, 'answer-status'));
    box.appendChild(el('pre', shown, 'answer'));
    if (a.consent) {
      var c = el('div', null, 'consent');
      var b = a.body || {};
      c.appendChild(el('p', b.message || 'The provider may already have made (and charged) a task for this job.', 'consent-message'));
      var m = b.may_cost;
      if (m) {
        c.appendChild(el('div', 'May cost: ' + m.amount + ' ' + (m.currency || '')
          + (m.estimated_so_far !== undefined && m.estimated_so_far !== null ? ' (estimated so far: ' + m.estimated_so_far + ' ' + (m.currency || '') + ')' : ''),
          'consent-cost'));
        if (m.note) { c.appendChild(el('div', m.note, 'note')); }
      }
      var btn = el('button', 'Redrive anyway, accepting a possible double payment', 'danger consent-button');
      btn.type = 'button';
      btn.addEventListener('click', function () { redrive(id, true); });
      c.appendChild(btn);
      box.appendChild(c);
    }
    return box;
  }

  var lastDead = null;
  function renderDeadAgain() { renderAnswers(); if (lastDead) { renderDead(lastDead, true); } }

  function renderDead(page, force) {
    var key = JSON.stringify(page.jobs);
    if (!force && key === dead.last) { return; }
    dead.last = key;
    lastDead = page;
    var body = document.querySelector('#dead tbody');
    clear(body);
    if (page.jobs.length === 0) {
      var tr0 = el('tr'); var c0 = td(tr0, 'No dead letters.', 'note'); c0.colSpan = 8; body.appendChild(tr0);
    }
    page.jobs.forEach(function (j) {
      var d = j.dead_letter || {};
      var tr = el('tr');
      tr.setAttribute('data-job', j.job_id);
      td(tr, j.job_id, 'job-id');
      td(tr, (j.provider || '') + ' / ' + (j.customer_id || ''));
      td(tr, d.code + (d.http_status ? ' (' + d.http_status + ')' : ''), 'code');
      var en = td(tr, null, 'reason-en');
      en.appendChild(el('div', d.comment_en || d.reason_en));
      if (d.message) { en.appendChild(el('div', d.message, 'note')); }
      td(tr, d.comment_ru || d.reason_ru, 'reason-ru');
      td(tr, cost(j));
      td(tr, time(j.finished_at));
      var act = td(tr, null, 'actions');
      var btn = el('button', 'Redrive', 'redrive');
      btn.type = 'button';
      btn.addEventListener('click', function () { redrive(j.job_id, false); });
      act.appendChild(btn);
      body.appendChild(tr);
    });
    document.getElementById('dead-older').disabled = page.next_before === null;
    document.getElementById('dead-newer').disabled = dead.stack.length <= 1;
  }

  // ------------------------------------------------------------------ jobs

  function play(j) {
    var v = document.getElementById('player');
    var cap = document.getElementById('player-caption');
    cap.textContent = j.job_id + ' (' + j.customer_id + '), ' + (j.video ? j.video.bytes : '?') + ' bytes';
    v.setAttribute('data-job', j.job_id);
    v.onerror = function () {
      cap.textContent = j.job_id + ': the video could not be played (' + (v.error ? 'media error ' + v.error.code : 'error') + ')';
    };
    v.src = 'api/jobs/' + encodeURIComponent(j.job_id) + '/video';
    var p = v.play();
    if (p && p.catch) { p.catch(function (e) { cap.textContent += ' (press play: ' + e.message + ')'; }); }
  }

  function renderJobs(page) {
    var key = JSON.stringify(page.jobs);
    if (key === jobs.last) { return; }
    jobs.last = key;
    var body = document.querySelector('#jobs tbody');
    clear(body);
    page.jobs.forEach(function (j) {
      var tr = el('tr');
      tr.setAttribute('data-job', j.job_id);
      td(tr, j.job_id, 'job-id');
      td(tr, j.state, 'state state-' + j.state);
      td(tr, (j.provider || '') + ' / ' + (j.customer_id || ''));
      td(tr, j.model);
      td(tr, j.prompt, 'prompt');
      td(tr, time(j.accepted_at));
      td(tr, j.seconds === null || j.seconds === undefined ? '' : j.seconds.toFixed(1) + ' s' + (j.finished_at ? '' : ' so far'));
      td(tr, cost(j));
      var said = td(tr, null, 'said');
      if (j.dead_letter) {
        said.appendChild(el('div', j.dead_letter.code));
        if (j.dead_letter.comment_en) { said.appendChild(el('div', j.dead_letter.comment_en, 'note')); }
        if (j.dead_letter.comment_ru) { said.appendChild(el('div', j.dead_letter.comment_ru, 'note')); }
      } else {
        said.appendChild(el('div', j.last_status ? j.last_status + (j.status_checks ? ' (' + j.status_checks + ' checks)' : '') : ''));
      }
      var vid = td(tr, null, 'video');
      if (j.video && j.video.in_s3) {
        vid.appendChild(el('span', 'in S3 (not played here)', 'note'));
      } else if (j.video) {
        var b = el('button', 'play', 'play');
        b.type = 'button';
        b.addEventListener('click', function () { play(j); });
        vid.appendChild(b);
      }
      body.appendChild(tr);
    });
    document.getElementById('jobs-older').disabled = page.next_before === null;
    document.getElementById('jobs-newer').disabled = jobs.stack.length <= 1;
  }

  function query(state, before) {
    var q = pageSize ? 'limit=' + pageSize : '';
    if (state) { q += '&state=' + encodeURIComponent(state); }
    if (before !== null && before !== undefined) { q += '&before=' + encodeURIComponent(before); }
    return q;
  }

  // ------------------------------------------------------------------ the refresh loop

  var timer = null;
  var lastPages = { jobs: null, dead: null };
  function refresh() {
    clearTimeout(timer);
    var jobsUrl = 'api/jobs?' + query(jobs.state, jobs.stack[jobs.stack.length - 1]);
    var deadUrl = 'api/jobs?' + query('DEAD', dead.stack[dead.stack.length - 1]);
    Promise.all([getJson('api/summary'), getJson(jobsUrl), getJson(deadUrl)]).then(function (r) {
      renderSummary(r[0]);
      lastPages.jobs = r[1];
      lastPages.dead = r[2];
      renderJobs(r[1]);
      renderDead(r[2], false);
      status('updated ' + new Date().toLocaleTimeString() + ', every ' + (refreshMs / 1000) + ' s', false);
    }).catch(function (e) {
      status('not updated: ' + e.message, true);
    }).then(function () {
      timer = setTimeout(refresh, refreshMs || 1000);
    });
  }

  function pager(model, olderId, newerId, lastPage) {
    document.getElementById(olderId).addEventListener('click', function () {
      var p = lastPages[lastPage];
      if (p && p.next_before !== null) { model.stack.push(p.next_before); model.last = ''; refresh(); }
    });
    document.getElementById(newerId).addEventListener('click', function () {
      if (model.stack.length > 1) { model.stack.pop(); model.last = ''; refresh(); }
    });
  }
  pager(jobs, 'jobs-older', 'jobs-newer', 'jobs');
  pager(dead, 'dead-older', 'dead-newer', 'dead');
  document.getElementById('state').addEventListener('change', function (e) {
    jobs.state = e.target.value;
    jobs.stack = [null];
    jobs.last = '';
    refresh();
  });
  refresh();
})();
