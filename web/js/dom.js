// SPDX-License-Identifier: MIT
// dom.js: the only way the dashboard builds its pages. Every string given
// here becomes a text node or an attribute value, never markup: there is
// no innerHTML anywhere, so user data cannot turn into HTML or script.

// h(tag, props, ...children): an element. props: attributes by name;
// "class"; "text" (textContent); "on" ({event: handler}); "value",
// "checked", "disabled", "selected" (set as properties). Children are
// nodes, strings (text), arrays of those, or null/false (skipped).
export function h(tag, props, ...children) {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(props || {})) {
		if (v === null || v === undefined || v === false) continue;
		if (k === 'on') {
			for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
		} else if (k === 'text') {
			el.textContent = String(v);
		} else if (k === 'class') {
			el.className = v;
		} else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'selected') {
			el[k] = v;
		} else if (k === 'style' || k.startsWith('on')) {
			throw new Error('dom: inline styles and handlers are not allowed (CSP)');
		} else {
			el.setAttribute(k, v === true ? '' : String(v));
		}
	}
	append(el, children);
	return el;
}

export function append(el, children) {
	for (const c of children.flat(Infinity)) {
		if (c === null || c === undefined || c === false) continue;
		el.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return el;
}

// Replaces every child of el.
export function replace(el, ...children) {
	el.replaceChildren();
	return append(el, children);
}

let nextId = 0;
export function uid(prefix) {
	nextId += 1;
	return `${prefix || 'f'}-${nextId}`;
}

// A labelled form field: field('Name', h('input', {...}), 'hint').
export function field(label, input, hint) {
	if (!input.id) input.id = uid('f');
	const parts = [h('label', { for: input.id, text: label }), input];
	if (hint) {
		const hid = uid('hint');
		input.setAttribute('aria-describedby', hid);
		parts.push(h('small', { id: hid, class: 'hint', text: hint }));
	}
	return h('div', { class: 'field' }, parts);
}

export function checkbox(label, input) {
	if (!input.id) input.id = uid('c');
	return h('div', { class: 'field check' }, input, h('label', { for: input.id, text: label }));
}

export function select(name, options, value) {
	return h('select', { name },
		options.map(([v, text]) => h('option', { value: v, text, selected: String(v) === String(value) })));
}

// ---- formatting --------------------------------------------------------

export function money(x) {
	if (x === null || x === undefined) return '–';
	const n = Number(x);
	const digits = Math.abs(n) > 0 && Math.abs(n) < 0.01 ? 6 : 2;
	return `${n.toFixed(digits)} cr`;
}

export function bytes(n) {
	if (n === null || n === undefined) return '–';
	const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
	let i = 0;
	let v = Number(n);
	while (v >= 1024 && i < units.length - 1) {
		v /= 1024;
		i += 1;
	}
	return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function when(iso) {
	if (!iso) return '–';
	const d = new Date(iso);
	if (Number.isNaN(d.getTime())) return String(iso);
	return d.toLocaleString();
}

export function ago(iso) {
	if (!iso) return 'never';
	const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
	if (s < 60) return `${s} s ago`;
	if (s < 3600) return `${Math.floor(s / 60)} min ago`;
	if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
	return `${Math.floor(s / 86400)} d ago`;
}

export function dateTime(iso) {
	if (!iso) return null;
	return h('time', { datetime: iso, title: iso, text: when(iso) });
}

export const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'killed_no_credits', 'moderation_failed']);

export function badge(status) {
	const s = String(status || 'unknown');
	return h('span', { class: `badge st-${s.replace(/[^a-z_]/g, '')}`, text: s.replace(/_/g, ' ') });
}

// An upload's progress: a labelled <progress> in box, hidden until
// start(); onProgress(f) is api.upload's callback, and once every byte is
// sent the label says storing (what the server does next).
export function uploadProgress(id, storing) {
	const bar = h('progress', { max: '100', value: '0', id, class: 'upload' });
	const label = h('label', { for: id, class: 'muted', text: 'Upload' });
	const box = h('div', { class: 'upload-box', hidden: true }, label, bar);
	return {
		box,
		onProgress(f) {
			bar.value = Math.round(f * 100);
			label.textContent = f < 1 ? `Uploading… ${Math.round(f * 100)} %` : storing;
		},
		hide() { box.hidden = true; },
		/* Runs send (an upload reporting to onProgress) with btn off and
		 * the bar shown: its answer, or null with the error in err and
		 * the bar hidden. */
		async run(btn, err, send) {
			btn.disabled = true;
			bar.value = 0;
			box.hidden = false;
			try {
				return await send();
			} catch (x) {
				err.textContent = x.message;
				box.hidden = true;
				return null;
			} finally {
				btn.disabled = false;
			}
		},
	};
}

export function progressBar(value, max, label) {
	const p = h('progress', { max: String(max || 100), value: String(Math.max(0, Number(value) || 0)) });
	p.setAttribute('aria-label', label || 'progress');
	p.textContent = `${Math.round(Number(value) || 0)} / ${max || 100}`;
	return p;
}

const WAIT_WORDS = {
	queued: 'Queued: waiting for the scheduler\'s next turn.',
	user_concurrency_limit: 'Waiting: you already run as many jobs as your limit allows; it starts when one ends.',
	insufficient_credits: 'Waiting: not enough available credits. Top up your wallet to start it.',
	daily_cost_cap: 'Waiting: today\'s spending cap is reached. It starts tomorrow (UTC) or when the cap is raised.',
	max_job_cost: 'Waiting: its quote is above the maximum cost per job.',
	no_capacity: 'Waiting: no node has enough free GPUs, CPUs or memory right now.',
	no_node_fits: 'Waiting: it asks for more GPUs, CPUs or memory than any node has. Cancel it and ask for less, or wait for a bigger node.',
	node_draining: 'Waiting: the node is draining and takes no new jobs.',
	requeued: 'Requeued after its node was lost; waiting for a new start.',
};

export function waitWords(reason) {
	if (!reason) return '';
	return WAIT_WORDS[reason] || `Waiting: ${String(reason).replace(/_/g, ' ')}.`;
}

// A table whose cells carry their column name (phones show rows as cards).
export function table(columns, rows, caption) {
	const head = h('tr', null, columns.map((c) => h('th', { scope: 'col', text: c })));
	const body = rows.map((cells) => h('tr', null, cells.map((cell, i) =>
		h('td', { 'data-label': columns[i] }, cell))));
	return h('div', { class: 'table-wrap' },
		h('table', { class: 'grid' }, caption ? h('caption', { text: caption }) : null,
			h('thead', null, head), h('tbody', null, body)));
}

export function empty(text, action) {
	return h('div', { class: 'empty' }, h('p', { text }), action || null);
}

export function pager(page, pageSize, total, go) {
	const pages = Math.max(1, Math.ceil((total || 0) / pageSize));
	return h('nav', { class: 'pager', 'aria-label': 'Pages' },
		h('button', { type: 'button', disabled: page <= 1, on: { click: () => go(page - 1) }, text: '← Newer' }),
		h('span', { text: `Page ${page} of ${pages} (${total} in all)` }),
		h('button', { type: 'button', disabled: page >= pages, on: { click: () => go(page + 1) }, text: 'Older →' }));
}

// A page's refresh: load(live) every ms while the tab is shown, so a
// hidden tab spends none of the user's rate limit. live() turns false once
// the page is left: a late answer is dropped. Returns { now, later, stop }:
// now() loads at once (after an action; now(true) also when the tab is
// hidden, for the first draw), later() only schedules the next load,
// stop() is the page's cleanup.
export function every(ms, load) {
	let timer = null;
	let stopped = false;
	const live = () => !stopped;
	const now = async (force) => {
		clearTimeout(timer);
		if (stopped) return;
		if (force === true || !document.hidden) {
			try { await load(live); } catch { /* the page shows its own errors */ }
		}
		if (!stopped) { clearTimeout(timer); timer = setTimeout(now, ms); }
	};
	const later = () => { clearTimeout(timer); if (!stopped) timer = setTimeout(now, ms); };
	return { now, later, stop: () => { stopped = true; clearTimeout(timer); } };
}
