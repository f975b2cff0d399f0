// A real OpenID Connect provider for Lotsen's tests (npm package oidc-provider).
//
// Usage: node tests/oidc/provider.mjs CONFIG.json
// CONFIG: {"clients": [{client_id, client_secret, redirect_uris, post_logout_redirect_uris}],
//          "accounts": {"<login name>": {"acr": "...", "claims": {...}}}}
// It listens on a free port on 127.0.0.1 and prints one line of JSON, {"issuer": ...},
// once it answers; it stops when its standard input closes or on SIGTERM.
//
// The login page is our own small interaction (the library's devInteractions accept any
// name and cannot set acr): the tester types a login name from CONFIG.accounts, and the
// provider finishes the login with that account's acr. Consent is given by the grant
// loader, as a municipality's own IdP does for its registered clients.

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import querystring from 'node:querystring';

import Provider from 'oidc-provider';

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const accounts = config.accounts || {};

const PERSON_SCOPE = 'https://id.oidc.se/scope/naturalPersonNumber';
const PERSON_CLAIMS = [
  'https://id.oidc.se/claim/personalIdentityNumber',
  'https://id.oidc.se/claim/coordinationNumber',
  'https://id.oidc.se/claim/previousCoordinationNumber',
];
const ACR_VALUES = [
  'http://id.elegnamnden.se/loa/1.0/loa2',
  'http://id.elegnamnden.se/loa/1.0/loa3',
  'http://id.elegnamnden.se/loa/1.0/loa4',
  'http://id.sambi.se/loa/loa2',
  'http://id.sambi.se/loa/loa3',
];

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(uid, error) {
  const message = error ? `<p role="alert" id="error">${escapeHtml(error)}</p>` : '';
  return `<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Testinloggning</title></head>
<body><main>
<h1>Testinloggning</h1>
${message}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="login">Användarnamn</label>
<input id="login" name="login" autocomplete="off">
<button type="submit">Logga in</button>
</form>
</main></body></html>`;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => resolve(querystring.parse(body)));
    req.on('error', reject);
  });
}

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: config.clients,
    jwks: { keys: [signingKey] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    acrValues: ACR_VALUES,
    scopes: ['openid', 'email', 'profile', PERSON_SCOPE],
    claims: {
      acr: null,
      auth_time: null,
      iss: null,
      sid: null,
      // The ID token always states the level of assurance (acr) and the login time, as
      // the Swedish profile asks, whether or not the client sent acr_values.
      openid: ['sub', 'acr', 'auth_time'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'employee_id'],
      [PERSON_SCOPE]: PERSON_CLAIMS,
    },
    // The Swedish OIDC profile puts the identity claims in the ID token.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, accountId) {
      const account = accounts[accountId];
      if (!account) return undefined;
      return {
        accountId,
        async claims() {
          return { sub: accountId, ...account.claims };
        },
      };
    },
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope(['openid', 'email', 'profile', PERSON_SCOPE].join(' '));
      await grant.save();
      return grant;
    },
  });
  const providerCallback = provider.callback();

  server.on('request', async (req, res) => {
    const match = req.url.match(/^\/interaction\/([\w-]+)(\/login)?$/);
    if (!match) {
      providerCallback(req, res);
      return;
    }
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(loginPage(details.uid));
        return;
      }
      const { login } = await readBody(req);
      const account = accounts[login];
      if (!account) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(loginPage(details.uid, 'Okänt användarnamn'));
        return;
      }
      const result = { login: { accountId: login, ...(account.acr ? { acr: account.acr } : {}) } };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    } catch (err) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(String(err));
    }
  });

  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

function stop() {
  server.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
