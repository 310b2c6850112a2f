// SPDX-License-Identifier: MIT
// pages/wallet.js: balance, available vs reserved, today's spend against
// the daily cap, top-up, and the ledger.
import { api, formValues } from '../api.js';
import { h, replace, field, money, dateTime, table, empty, pager, every } from '../dom.js';

function stat(label, value, cls) {
	return h('div', { class: `stat ${cls || ''}` }, h('span', { class: 'stat-label', text: label }), h('strong', { class: 'stat-value', text: value }));
}

function reference() {
	const r = new Uint8Array(8);
	crypto.getRandomValues(r);
	return `web-${Array.from(r, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export async function page(main, ctx) {
	const page = Number(ctx.query.get('page')) || 1;
	const top = h('section', { class: 'card', 'aria-label': 'Balance' });
	const txs = h('section', { class: 'card' }, h('h2', { text: 'Transactions' }));
	const txBody = h('div');
	txs.append(txBody);
	const err = h('p', { class: 'error', role: 'alert' });
	const ref = h('input', { type: 'hidden', name: 'payment_reference', value: reference() });
	const btn = h('button', { type: 'submit', class: 'primary', text: 'Add credits' });
	const form = h('form', { class: 'card' }, h('h2', { text: 'Top up' }),
		field('Amount (credits)', h('input', { name: 'amount', id: 'topup-amount', type: 'number', min: '0.01', step: '0.01', required: true, value: '10' }), 'One credit is one US dollar.'),
		ref, err, btn);

	const load = async () => {
		const [b, t] = await Promise.all([api('GET', '/wallet/balance'), api('GET', `/wallet/transactions?page=${page}&page_size=20`)]);
		const capBar = h('meter', { min: '0', max: String(b.daily_cost_cap || 0), value: String(Math.min(b.spent_today, b.daily_cost_cap || 0)),
			high: String((b.daily_cost_cap || 0) * 0.8), optimum: '0', id: 'cap-meter' });
		const resBar = h('meter', { min: '0', max: String(Math.max(b.balance, 0.000001)), value: String(b.reserved), id: 'reserve-meter' });
		replace(top, h('h1', { text: 'Wallet' }),
			h('div', { class: 'stats' }, stat('Balance', money(b.balance), 'balance'), stat('Available', money(b.available), 'available'),
				stat('Reserved for jobs', money(b.reserved), 'reserved')),
			h('div', { class: 'bar-row' }, h('label', { for: 'reserve-meter', text: `Reserved: ${money(b.reserved)} of ${money(b.balance)}` }), resBar),
			h('div', { class: 'bar-row' }, h('label', { for: 'cap-meter', text: `Spent today: ${money(b.spent_today)} of your daily cap ${money(b.daily_cost_cap)}` }), capBar),
			b.available <= 0 ? h('p', { class: 'wait', text: 'You have no available credits: jobs wait until you top up.' }) : null);
		replace(txBody, t.items.length ? [table(['When', 'Type', 'Amount', 'Balance after', 'Job', 'Reference'], t.items.map((x) => [
			dateTime(x.created_at), x.type, h('span', { class: x.amount < 0 || x.type === 'charge' ? 'neg' : 'pos', text: money(x.amount) }),
			money(x.balance_after), x.job_id ? h('a', { href: `#/jobs/${x.job_id}`, text: `#${x.job_id}` }) : '',
			h('span', { text: x.payment_reference || x.description || '' }),
		])), pager(page, 20, t.total, (p) => { location.hash = `#/wallet?page=${p}`; })]
			: empty('No transactions yet. Top up to fund your first job.'));
	};
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		err.textContent = '';
		const v = formValues(form);
		const amount = Number(v.amount);
		if (!(amount > 0)) { err.textContent = 'Enter an amount above zero.'; return; }
		btn.disabled = true;
		try {
			const r = await api('POST', '/wallet/topup', { json: { amount, payment_reference: v.payment_reference } });
			ref.value = reference(); // the next top-up is a new payment
			ctx.flash(`Added ${money(amount)}; balance ${money(r.balance)}.`);
			await load();
		} catch (x) {
			err.textContent = x.message;
		} finally {
			btn.disabled = false;
		}
	});
	replace(main, top, form, txs);
	await load(); // a failure here is the page's: the router shows it
	const loop = every(10000, load);
	loop.later();
	return loop.stop;
}
