// SPDX-License-Identifier: MIT
// app.js: the dashboard's shell: hash routes, navigation by role, the
// flash line, and the session at start (a refresh through the HttpOnly
// cookie, so a reload keeps you signed in).
import { refresh, signOut, user, onSession, isStaff } from './api.js';
import { h, replace } from './dom.js';
import * as auth from './pages/auth.js';
import * as jobs from './pages/jobs.js';
import * as job from './pages/job.js';
import * as submit from './pages/submit.js';
import * as batches from './pages/batches.js';
import * as datasets from './pages/datasets.js';
import * as projects from './pages/projects.js';
import * as wallet from './pages/wallet.js';
import * as keys from './pages/keys.js';
import * as admin from './pages/admin.js';
import * as nodes from './pages/nodes.js';

// [pattern, page, who may see it: null = signed out only, 'any', 'staff', 'admin']
const routes = [
	[/^\/signin$/, auth.signin, null],
	[/^\/signup$/, auth.signup, null],
	[/^\/jobs$/, jobs.list, 'any'],
	[/^\/jobs\/(\d+)$/, job.show, 'any'],
	[/^\/submit$/, submit.page, 'any'],
	[/^\/batches$/, batches.list, 'any'],
	[/^\/batches\/(\d+)$/, batches.show, 'any'],
	[/^\/datasets$/, datasets.list, 'any'],
	[/^\/projects$/, projects.list, 'any'],
	[/^\/wallet$/, wallet.page, 'any'],
	[/^\/keys$/, keys.page, 'any'],
	[/^\/admin\/users$/, admin.users, 'admin'],
	[/^\/admin\/limits$/, admin.limits, 'admin'],
	[/^\/admin\/prices$/, admin.prices, 'admin'],
	[/^\/nodes$/, nodes.page, 'staff'],
];

const NAV = [
	['#/jobs', 'Jobs', 'any'], ['#/submit', 'Submit', 'any'], ['#/batches', 'Batches', 'any'],
	['#/datasets', 'Data sets', 'any'], ['#/projects', 'Projects', 'any'], ['#/wallet', 'Wallet', 'any'], ['#/keys', 'API keys', 'any'],
	['#/nodes', 'Nodes', 'staff'], ['#/admin/users', 'Users', 'admin'], ['#/admin/limits', 'Limits', 'admin'],
	['#/admin/prices', 'Prices', 'admin'],
];

let cleanup = null;
// Each route() draws into a view of its own: a page still loading when the
// user moves on draws into a view no longer shown, and is stopped once it
// has loaded (navSeq tells it has been left).
let navSeq = 0;
let flashTimer = null;

function allowed(u, who) {
	if (who === 'any') return !!u;
	if (who === 'staff') return isStaff(u);
	if (who === 'admin') return !!u && u.role === 'admin';
	return !u;
}

// flash(text, kind): a short message at the top ('ok' or 'error').
export function flash(text, kind) {
	const el = document.getElementById('flash');
	clearTimeout(flashTimer);
	replace(el, text ? h('p', { class: `flash ${kind || 'ok'}`, text }) : null);
	if (text && kind !== 'error') flashTimer = setTimeout(() => replace(el), 5000);
}

function drawNav() {
	const u = user();
	const nav = document.getElementById('nav');
	const here = `#${currentPath()}`;
	if (!u) {
		replace(nav, h('ul', null,
			h('li', null, h('a', { href: '#/signin', text: 'Sign in', 'aria-current': here === '#/signin' ? 'page' : null })),
			h('li', null, h('a', { href: '#/signup', text: 'Sign up', 'aria-current': here === '#/signup' ? 'page' : null }))));
		return;
	}
	replace(nav, h('ul', null,
		NAV.filter(([, , who]) => allowed(u, who)).map(([href, text]) => h('li', null,
			h('a', { href, text, 'aria-current': here.startsWith(href) ? 'page' : null }))),
		h('li', { class: 'who' }, h('span', { class: 'muted', text: `${u.email} (${u.role})` })),
		h('li', null, h('button', {
			type: 'button', class: 'link', text: 'Sign out',
			on: { click: async () => { await signOut(); flash('Signed out.'); location.hash = '#/signin'; } },
		}))));
}

function currentPath() {
	return (location.hash || '#/').slice(1).split('?')[0] || '/';
}

function currentQuery() {
	const q = (location.hash || '').split('?')[1] || '';
	return new URLSearchParams(q);
}

async function route() {
	const seq = (navSeq += 1);
	if (cleanup) {
		try { cleanup(); } catch { /* a page's cleanup never stops the next */ }
		cleanup = null;
	}
	const u = user();
	const path = currentPath();
	const main = document.getElementById('main');
	document.getElementById('nav').classList.remove('open');
	document.getElementById('menu-toggle').setAttribute('aria-expanded', 'false');
	let found = null;
	for (const [re, page, who] of routes) {
		const m = path.match(re);
		if (m) { found = { page, who, params: m.slice(1) }; break; }
	}
	if (!found) {
		location.replace(u ? '#/jobs' : '#/signin');
		return;
	}
	if (!allowed(u, found.who)) {
		if (!u) { location.replace(`#/signin?next=${encodeURIComponent(path)}`); return; }
		if (found.who === null) { location.replace('#/jobs'); return; }
		drawNav();
		replace(main, h('h1', { text: 'Not allowed' }), h('p', { text: 'Your role cannot see this page.' }));
		return;
	}
	drawNav();
	const view = h('div', { class: 'view' }, h('p', { class: 'muted', text: 'Loading…' }));
	replace(main, view);
	const ctx = { params: found.params, query: currentQuery(), user: u, flash };
	try {
		const done = await found.page(view, ctx);
		if (seq !== navSeq) {
			if (typeof done === 'function') { try { done(); } catch { /* left already */ } }
			return;
		}
		if (typeof done === 'function') cleanup = done;
	} catch (err) {
		if (seq === navSeq) replace(view, h('h1', { text: 'Something went wrong' }), h('p', { class: 'error', role: 'alert', text: err.message }));
	}
	if (document.activeElement === document.body) main.focus({ preventScroll: true });
}

async function start() {
	document.getElementById('menu-toggle').addEventListener('click', (e) => {
		const nav = document.getElementById('nav');
		const open = nav.classList.toggle('open');
		e.currentTarget.setAttribute('aria-expanded', String(open));
	});
	onSession(() => drawNav());
	await refresh(); // the cookie, if this browser signed in before
	onSession((u) => { if (!u && currentPath() !== '/signin' && currentPath() !== '/signup') route(); });
	window.addEventListener('hashchange', route);
	route();
}

start();
