// SPDX-License-Identifier: MIT
// pages/admin.js: administration: users (role, disable), limits (global
// and per user), prices.
import { api, formValues } from '../api.js';
import { h, replace, field, select, money, dateTime, table, empty, pager } from '../dom.js';

const ROLES = [['user', 'user'], ['viewer', 'viewer'], ['operator', 'operator'], ['admin', 'admin']];

export async function users(main, ctx) {
	const page = Number(ctx.query.get('page')) || 1;
	const out = h('div');
	replace(main, h('h1', { text: 'Users' }), out);
	const patch = async (u, body, what) => {
		try {
			await api('PATCH', `/users/${u.id}`, { json: body });
			ctx.flash(`${u.email}: ${what}.`);
		} catch (x) {
			ctx.flash(`${u.email}: ${x.message}`, 'error');
		}
		load();
	};
	const load = async () => {
		const r = await api('GET', `/users?page=${page}&page_size=50`);
		replace(out, r.items.length ? [table(['#', 'Email', 'Name', 'Role', 'Active', 'Created', 'Limits'], r.items.map((u) => {
			const role = select('role', ROLES, u.role);
			role.setAttribute('aria-label', `Role of ${u.email}`);
			role.addEventListener('change', () => patch(u, { role: role.value }, `role set to ${role.value}`));
			const self = u.id === ctx.user.id;
			return [
				String(u.id), h('span', { class: 'email', text: u.email }), h('span', { text: u.username || u.full_name || '' }), role,
				h('button', { type: 'button', class: u.is_active ? 'danger' : '', disabled: self, text: u.is_active ? 'Disable' : 'Enable',
					'aria-label': `${u.is_active ? 'Disable' : 'Enable'} ${u.email}`,
					on: { click: () => patch(u, { is_active: !u.is_active }, u.is_active ? 'disabled' : 'enabled') } }),
				dateTime(u.created_at),
				h('a', { href: `#/admin/limits?user=${u.id}`, text: u.max_concurrent_jobs !== null || u.daily_cost_cap !== null
					? `${u.max_concurrent_jobs ?? 'default'} jobs · ${u.daily_cost_cap !== null ? money(u.daily_cost_cap) : 'default cap'}` : 'defaults' }),
			];
		})), pager(page, 50, r.total, (p) => { location.hash = `#/admin/users?page=${p}`; })] : empty('No users.'));
	};
	await load();
}

function numberOrNull(v, what, integer) {
	if (v === '' || v === undefined) return null;
	const n = Number(v);
	if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) throw new Error(`${what} must be ${integer ? 'a whole number' : 'a number'} of 0 or more.`);
	return n;
}

export async function limits(main, ctx) {
	const globalCard = h('section', { class: 'card' });
	const usersCard = h('section', { class: 'card' });
	replace(main, h('h1', { text: 'Limits' }), globalCard, usersCard);
	const load = async () => {
		const [l, u] = await Promise.all([api('GET', '/admin/limits'), api('GET', '/users?page_size=100')]);
		const g = l.global;
		const gErr = h('p', { class: 'error', role: 'alert' });
		const gForm = h('form', null, h('h2', { text: 'Everyone (defaults)' }),
			field('Jobs running at once', h('input', { name: 'max_concurrent_jobs', id: 'g-conc', type: 'number', min: '0', value: String(g.max_concurrent_jobs) })),
			field('Daily cost cap (credits)', h('input', { name: 'daily_cost_cap', id: 'g-cap', type: 'number', min: '0', step: '0.01', value: String(g.daily_cost_cap) })),
			field('Largest cost of one job (credits)', h('input', { name: 'max_job_cost', id: 'g-max', type: 'number', min: '0', step: '0.01', value: String(g.max_job_cost) })),
			gErr, h('button', { type: 'submit', class: 'primary', text: 'Save defaults' }));
		gForm.addEventListener('submit', async (e) => {
			e.preventDefault();
			gErr.textContent = '';
			try {
				const v = formValues(gForm);
				const body = {};
				for (const [k, what, int] of [['max_concurrent_jobs', 'Jobs at once', true], ['daily_cost_cap', 'Daily cap', false], ['max_job_cost', 'Largest cost', false]]) {
					const n = numberOrNull(v[k], what, int);
					if (n !== null) body[k] = n;
				}
				await api('POST', '/admin/limits/global', { json: body });
				ctx.flash('Default limits saved.');
				load();
			} catch (x) {
				gErr.textContent = x.message;
			}
		});
		replace(globalCard, gForm);

		const pick = ctx.query.get('user') || '';
		const uErr = h('p', { class: 'error', role: 'alert' });
		const userSel = select('user_id', [['', 'Choose a user'], ...u.items.map((x) => [String(x.id), `${x.email} (#${x.id})`])], pick);
		const over = (id) => l.users.find((x) => String(x.user_id) === String(id)) || {};
		const conc = h('input', { name: 'max_concurrent_jobs', id: 'u-conc', type: 'number', min: '0' });
		const cap = h('input', { name: 'daily_cost_cap', id: 'u-cap', type: 'number', min: '0', step: '0.01' });
		const fill = () => {
			const o = over(userSel.value);
			conc.value = o.max_concurrent_jobs ?? '';
			cap.value = o.daily_cost_cap ?? '';
		};
		userSel.addEventListener('change', fill);
		fill();
		const uForm = h('form', null, h('h2', { text: 'One user' }),
			field('User', userSel),
			field('Jobs running at once', conc, `Empty: the default (${g.max_concurrent_jobs}).`),
			field('Daily cost cap (credits)', cap, `Empty: the default (${money(g.daily_cost_cap)}).`),
			uErr, h('button', { type: 'submit', class: 'primary', text: 'Save user\'s limits' }));
		uForm.addEventListener('submit', async (e) => {
			e.preventDefault();
			uErr.textContent = '';
			try {
				if (!userSel.value) throw new Error('Choose a user.');
				const body = { max_concurrent_jobs: numberOrNull(conc.value.trim(), 'Jobs at once', true),
					daily_cost_cap: numberOrNull(cap.value.trim(), 'Daily cap', false) };
				await api('POST', `/admin/limits/users/${userSel.value}`, { json: body });
				ctx.flash('User limits saved.');
				load();
			} catch (x) {
				uErr.textContent = x.message;
			}
		});
		replace(usersCard, uForm, h('h3', { text: 'Overrides in force' }),
			l.users.length ? table(['User', 'Jobs at once', 'Daily cap'], l.users.map((x) => [
				h('span', { text: x.email }), x.max_concurrent_jobs ?? 'default', x.daily_cost_cap !== null ? money(x.daily_cost_cap) : 'default',
			])) : empty('No user has limits of their own: everyone has the defaults.'));
	};
	await load();
}

export async function prices(main, ctx) {
	const out = h('div');
	replace(main, h('h1', { text: 'Prices' }), out);
	const load = async () => {
		const p = await api('GET', '/admin/prices');
		const err = h('p', { class: 'error', role: 'alert' });
		const inputs = p.items.map((it) => h('input', { type: 'number', min: '0', step: 'any', name: it.name, value: String(it.price),
			'aria-label': `Price of ${it.name} per ${it.unit}` }));
		const form = h('form', { class: 'card' },
			table(['Name', 'Unit', 'Price (credits)', 'What'], p.items.map((it, i) => [h('code', { text: it.name }), it.unit, inputs[i], h('span', { text: it.description || '' })])),
			err, h('button', { type: 'submit', class: 'primary', text: 'Save prices' }));
		form.addEventListener('submit', async (e) => {
			e.preventDefault();
			err.textContent = '';
			const body = {};
			p.items.forEach((it, i) => {
				if (Number(inputs[i].value) !== it.price) body[it.name] = Number(inputs[i].value);
			});
			if (!Object.keys(body).length) { err.textContent = 'Nothing changed.'; return; }
			try {
				await api('PUT', '/admin/prices', { json: body });
				ctx.flash(`Saved ${Object.keys(body).length} price(s).`);
				load();
			} catch (x) {
				err.textContent = x.message;
			}
		});
		replace(out, form);
	};
	await load();
}
