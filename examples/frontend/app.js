// The frontend's whole API client. Every URL is relative: the page and the
// API share an origin (nginx proxies /api/ to the backend), so the CSP's
// connect-src 'self' allows the calls and no CORS is involved. Absolute URLs
// such as http://localhost:3000/api/… are what the CSP blocks.
'use strict';

const API = '/api';

async function getJSON(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  let body = null;
  try {
    body = await res.json();
  } catch (e) {
    // not JSON: leave body null
  }
  if (!res.ok && res.status !== 503) {
    const why = body && body.error ? body.error : res.statusText;
    throw new Error(`${res.status} ${why}`);
  }
  return { status: res.status, body };
}

function el(tag, text) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = String(text);
  return node;
}

function failed(node, err, asItem) {
  node.dataset.state = 'error';
  node.replaceChildren(asItem ? el('li', err.message) : el('span', err.message));
}

async function loadTowns() {
  const list = document.getElementById('towns');
  try {
    const { body } = await getJSON(`${API}/v1/towns/selection`);
    list.replaceChildren(...body.towns.map((t) => el('li', `${t.id}. ${t.name}`)));
    list.dataset.state = 'ok';
  } catch (err) {
    failed(list, err, true);
  }
}

async function loadStatus() {
  const dl = document.getElementById('status');
  try {
    const { body } = await getJSON(`${API}/status`);
    const rows = [];
    for (const [k, v] of Object.entries(body)) rows.push(el('dt', k), el('dd', v));
    dl.replaceChildren(...rows);
    dl.dataset.state = 'ok';
  } catch (err) {
    failed(dl, err, false);
  }
}

async function loadHealth() {
  const verdict = document.getElementById('verdict');
  const tbody = document.getElementById('programs');
  try {
    const { status, body } = await getJSON('/health');
    verdict.textContent = `${body.status} (HTTP ${status}), tend up ${Math.round(body.uptime)} s`;
    verdict.dataset.state = status === 200 ? 'ok' : 'error';
    tbody.replaceChildren(...body.programs.map((p) => {
      const tr = el('tr');
      for (const v of [p.name, p.state, p.health, p.pid ?? '-', p.restarts]) tr.append(el('td', v));
      return tr;
    }));
  } catch (err) {
    failed(verdict, err, false);
    tbody.replaceChildren();
  }
}

function refresh() {
  return Promise.all([loadTowns(), loadStatus(), loadHealth()]);
}

document.getElementById('refresh').addEventListener('click', refresh);
refresh();
