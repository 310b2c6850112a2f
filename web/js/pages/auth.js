// SPDX-License-Identifier: MIT
// pages/auth.js: sign in and sign up.
import { signIn, signUp, formValues } from '../api.js';
import { h, replace, field } from '../dom.js';

function target(ctx) {
	const next = ctx.query.get('next') || '';
	return /^\/[a-z0-9/]*$/.test(next) && next !== '/signin' ? `#${next}` : '#/jobs';
}

function authForm(main, title, fields, button, submit, footer) {
	const err = h('p', { class: 'error', role: 'alert' });
	const btn = h('button', { type: 'submit', class: 'primary', text: button });
	const form = h('form', { class: 'card narrow', novalidate: true }, h('h1', { text: title }), fields, err, btn, footer);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		err.textContent = '';
		btn.disabled = true;
		try {
			await submit(formValues(form));
		} catch (x) {
			err.textContent = x.message;
		} finally {
			btn.disabled = false;
		}
	});
	replace(main, form);
	form.querySelector('input').focus();
}

export function signin(main, ctx) {
	authForm(main, 'Sign in', [
		field('Email', h('input', { name: 'email', type: 'email', autocomplete: 'username', required: true })),
		field('Password', h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
	], 'Sign in', async (v) => {
		if (!v.email || !v.password) throw new Error('Enter your email and password.');
		await signIn(v.email, new FormData(main.querySelector('form')).get('password'));
		ctx.flash('Signed in.');
		location.hash = target(ctx);
	}, h('p', null, 'No account yet? ', h('a', { href: '#/signup', text: 'Sign up' })));
}

export function signup(main, ctx) {
	authForm(main, 'Create an account', [
		field('Email', h('input', { name: 'email', type: 'email', autocomplete: 'email', required: true })),
		field('User name (optional)', h('input', { name: 'username', autocomplete: 'nickname' })),
		field('Password', h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: '8' }),
			'At least 8 characters.'),
	], 'Sign up', async (v) => {
		if (!v.email || !v.password) throw new Error('Enter an email and a password.');
		await signUp(v.email, v.username, new FormData(main.querySelector('form')).get('password'));
		ctx.flash('Welcome to kiln. Top up your wallet to run your first job.');
		location.hash = '#/wallet';
	}, h('p', null, 'Have an account? ', h('a', { href: '#/signin', text: 'Sign in' })));
}
