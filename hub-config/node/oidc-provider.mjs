// dtolab's local OpenID Connect provider, for the embedded hub only (`dtolab hub`).
//
// A certified OpenID Connect library (npm `oidc-provider`) with:
//   - users and scrypt password hashes from a JSON file (hub-config/local-users.json by default),
//   - a login page of our own (the library's dev pages accept any password),
//   - consent given on the user's behalf for the configured (first-party) clients,
//   - JWT access tokens for the resource "dtolab" (the embedded STAC and processes APIs check
//     them with the published keys), refresh tokens for the hub, a `groups` claim for roles.
// Production deployments point the hub at a real provider (EGI Check-in, Keycloak) instead.
//
// Configuration comes from a JSON file named by $DTOLAB_OIDC_CONFIG (written by `dtolab hub`,
// mode 0600; it holds the client secret and the cookie keys):
//   { "issuer", "port", "users_file", "keys_file", "store_file", "cookie_keys": [...],
//     "access_token_ttl", "clients": [{client_id, client_secret, redirect_uris, ...}] }

import { generateKeyPairSync, scryptSync, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { URL } from 'node:url';

import Provider, { errors } from 'oidc-provider';

// The resource (an absolute URI, RFC 8707) and the audience its access tokens carry.
const RESOURCE = 'urn:dtolab:api';
const AUDIENCE = 'dtolab';
const MAX_BODY = 16 * 1024;

const settings = JSON.parse(
  readFileSync(process.env.DTOLAB_OIDC_CONFIG, 'utf8')
);

// -- users ---------------------------------------------------------------------------------
function loadUsers(path) {
  const raw = JSON.parse(readFileSync(path, 'utf8'));
  const users = new Map();
  for (const user of raw.users ?? []) {
    if (!user.username || !user.password_scrypt) {
      throw new Error(
        `${path}: every user needs "username" and "password_scrypt"`
      );
    }
    users.set(user.username, user);
  }
  return users;
}

// Hashes are "scrypt:<salt hex>:<key hex>" (N=16384, r=8, p=1, 64 bytes), the same as
// Python's hashlib.scrypt, so `dtolab hub passwd` and the tests can write them.
function passwordMatches(user, password) {
  const [scheme, saltHex, keyHex] = String(user.password_scrypt).split(':');
  if (scheme !== 'scrypt' || !saltHex || !keyHex) return false;
  const expected = Buffer.from(keyHex, 'hex');
  const actual = scryptSync(
    String(password),
    Buffer.from(saltHex, 'hex'),
    expected.length,
    {
      N: 16384,
      r: 8,
      p: 1
    }
  );
  return timingSafeEqual(expected, actual);
}

const users = loadUsers(settings.users_file);

// -- signing keys: made once and kept, so that tokens stay valid across restarts -------------
function signingKeys(path) {
  if (!existsSync(path)) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = {
      ...privateKey.export({ format: 'jwk' }),
      use: 'sig',
      alg: 'RS256'
    };
    jwk.kid = `dtolab-${Date.now().toString(36)}`;
    writeFileSync(path, JSON.stringify({ keys: [jwk] }), { mode: 0o600 });
  }
  return JSON.parse(readFileSync(path, 'utf8'));
}

// -- storage: sessions, grants and refresh tokens survive a restart of the provider -----------
// One JSON file (mode 0600), rewritten on every change: a local hub has few users, and the
// file stays small because expired entries are dropped.
class FileStore {
  constructor(path) {
    this.path = path;
    this.entries = new Map();
    if (existsSync(path)) {
      for (const [key, entry] of Object.entries(
        JSON.parse(readFileSync(path, 'utf8'))
      )) {
        this.entries.set(key, entry);
      }
    }
    this.prune();
  }

  prune() {
    const now = Date.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt && entry.expiresAt < now) this.entries.delete(key);
    }
  }

  save() {
    this.prune();
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.entries)), {
      mode: 0o600
    });
    renameSync(tmp, this.path);
  }
}

let store;

// oidc-provider's adapter interface, one instance per model name (Session, Grant, ...).
class FileAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : undefined;
    store.entries.set(this.key(id), { payload, expiresAt });
    store.save();
  }

  async find(id) {
    const entry = store.entries.get(this.key(id));
    if (!entry || (entry.expiresAt && entry.expiresAt < Date.now()))
      return undefined;
    return entry.payload;
  }

  async findByUid(uid) {
    for (const [key, entry] of store.entries) {
      if (key.startsWith(`${this.model}:`) && entry.payload.uid === uid)
        return entry.payload;
    }
    return undefined;
  }

  async findByUserCode(userCode) {
    for (const [key, entry] of store.entries) {
      if (
        key.startsWith(`${this.model}:`) &&
        entry.payload.userCode === userCode
      ) {
        return entry.payload;
      }
    }
    return undefined;
  }

  async consume(id) {
    const entry = store.entries.get(this.key(id));
    if (entry) {
      entry.payload.consumed = Math.floor(Date.now() / 1000);
      store.save();
    }
  }

  async destroy(id) {
    store.entries.delete(this.key(id));
    store.save();
  }

  async revokeByGrantId(grantId) {
    for (const [key, entry] of store.entries) {
      if (entry.payload.grantId === grantId) store.entries.delete(key);
    }
    store.save();
  }
}

// -- the provider ----------------------------------------------------------------------------
const accessTokenTTL = Number(settings.access_token_ttl ?? 300);

store = new FileStore(settings.store_file);

const provider = new Provider(settings.issuer, {
  adapter: FileAdapter,
  clients: settings.clients,
  jwks: signingKeys(settings.keys_file),
  cookies: { keys: settings.cookie_keys },
  findAccount: async (ctx, id) => {
    const user = users.get(id);
    if (!user) return undefined;
    return {
      accountId: id,
      claims: async () => ({
        sub: id,
        preferred_username: id,
        name: user.name ?? id,
        email: user.email,
        groups: user.groups ?? []
      })
    };
  },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email'],
    groups: ['groups']
  },
  scopes: ['openid', 'profile', 'email', 'groups', 'offline_access', 'api'],
  // The hub reads who the user is from the ID token: put the scopes' claims in it.
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
    revocation: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // Every token is for dtolab's APIs unless the client names another resource.
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource) => {
        if (resource !== RESOURCE) throw new errors.InvalidTarget();
        return {
          scope: 'api',
          audience: AUDIENCE,
          accessTokenTTL,
          accessTokenFormat: 'jwt'
        };
      }
    }
  },
  // The hub keeps a refresh token in its (encrypted) auth_state to renew access tokens.
  issueRefreshToken: async (ctx, client) =>
    client.grantTypeAllowed('refresh_token'),
  ttl: {
    AccessToken: accessTokenTTL,
    IdToken: 3600,
    RefreshToken: 14 * 24 * 3600,
    Session: 14 * 24 * 3600,
    Interaction: 3600,
    Grant: 14 * 24 * 3600
  },
  pkce: { required: () => false },
  interactions: {
    url: (ctx, interaction) => `/interaction/${interaction.uid}`
  },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = page(
      'Sign-in error',
      `<p role="alert">${escape(out.error_description ?? out.error)}</p>`
    );
  }
});
provider.proxy = false;
// Failures inside the library: logged with their reason (never a token: none is in a message).
provider.on('server_error', (ctx, err) =>
  console.log(`server error: ${err.name}: ${err.message}`)
);

// -- the login page --------------------------------------------------------------------------
function escape(text) {
  return String(text).replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body { font-family: sans-serif; max-width: 22rem; margin: 4rem auto; color: #102a43; }
 label { display: block; margin-top: 1rem; }
 input { width: 100%; padding: .5rem; box-sizing: border-box; }
 button { margin-top: 1.5rem; padding: .5rem 1.5rem; }
 [role=alert] { color: #b00020; }
</style></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

function loginForm(uid, clientName, error = '', username = '') {
  const alert = error ? `<p role="alert">${escape(error)}</p>` : '';
  return page(
    'Sign in to dtolab',
    `<p>Local accounts of this dtolab hub (${escape(clientName)}).</p>${alert}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
 <label for="username">Username</label>
 <input id="username" name="username" required value="${escape(username)}" autofocus>
 <label for="password">Password</label>
 <input id="password" name="password" type="password" required>
 <button type="submit">Sign in</button>
</form>`
  );
}

async function readForm(req) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// The login form posts here and is then redirected to a client (the hub): browsers apply
// form-action to those redirects too, so the clients' origins are allowed with our own.
const formTargets = [
  "'self'",
  ...new Set(
    settings.clients.flatMap(client =>
      client.redirect_uris.map(uri => new URL(uri).origin)
    )
  )
].join(' ');

function send(res, status, html) {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; form-action ${formTargets}`
  });
  res.end(html);
}

// The configured clients are the platform's own (the hub): consent is given for the user.
async function grantConsent(details) {
  const { prompt, params, session, grantId } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({
        accountId: session.accountId,
        clientId: params.client_id
      });
  const missing = prompt.details;
  if (missing.missingOIDCScope)
    grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(
    missing.missingResourceScopes ?? {}
  )) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  return { consent: { grantId: await grant.save() } };
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid)
    return send(res, 400, page('Sign-in error', '<p>Stale sign-in page.</p>'));
  const client = await provider.Client.find(details.params.client_id);
  const clientName = client?.clientName ?? details.params.client_id;
  if (details.prompt.name === 'consent') {
    return provider.interactionFinished(req, res, await grantConsent(details), {
      mergeWithLastSubmission: true
    });
  }
  if (action !== 'login' || req.method !== 'POST') {
    return send(res, 200, loginForm(uid, clientName));
  }
  const form = await readForm(req);
  const username = form.get('username') ?? '';
  const user = users.get(username);
  if (!user || !passwordMatches(user, form.get('password') ?? '')) {
    console.log(`login refused for ${JSON.stringify(username.slice(0, 64))}`);
    return send(
      res,
      401,
      loginForm(uid, clientName, 'Wrong username or password.', username)
    );
  }
  console.log(`login: ${username}`);
  return provider.interactionFinished(
    req,
    res,
    { login: { accountId: username } },
    { mergeWithLastSubmission: false }
  );
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, settings.issuer);
  const match = url.pathname.match(
    /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login))?$/
  );
  if (!match) return callback(req, res);
  try {
    await interaction(req, res, match[1], match[2]);
  } catch (err) {
    console.log(`interaction failed: ${err.name}: ${err.message}`);
    if (!res.headersSent)
      send(
        res,
        400,
        page(
          'Sign-in error',
          `<p role="alert">${escape(err.message)}</p><p>Start again from the hub.</p>`
        )
      );
  }
});
server.listen(settings.port, '127.0.0.1', () => {
  console.log(
    `dtolab OpenID Connect provider at ${settings.issuer} (${users.size} users)`
  );
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
