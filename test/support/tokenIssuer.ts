import { createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Bot Framework token service's public side: an OpenID metadata document
 * and a JWKS on loopback, and RS256 tokens signed with a test key, shaped the way the Bot Framework
 * Connector signs the tokens it sends to a bot (what botframework-connector's ChannelValidation
 * checks):
 *
 * - header: `alg` RS256 (one of AuthenticationConstants.AllowedSigningAlgorithms), `kid` of a key in
 *   the JWKS; the key needs `n` and `e`, and when it lists `endorsements` the activity's channelId
 *   must be one of them;
 * - `iss` equal to ToBotFromChannelTokenIssuer (https://api.botframework.com in the public cloud);
 * - `aud` equal to the bot's MicrosoftAppId;
 * - `serviceurl` equal to the activity's serviceUrl;
 * - `exp`/`nbf` checked by jsonwebtoken with 5 minutes' clock tolerance;
 * - no `ver` claim with an `appid` different from `aud` (that would make it a skill token).
 *
 * botframework-connector caches OpenID metadata per metadata URL for the whole process
 * (JwtTokenExtractor.openIdMetadataCache, keys kept 24 hours), so every issuer serves its document
 * under a path of its own: a new issuer never inherits another one's cached keys.
 */

export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

export interface TokenClaims {
  iss?: string;
  aud?: string;
  serviceurl?: string;
  /** Seconds since the epoch. */
  exp?: number;
  nbf?: number;
  iat?: number;
  [claim: string]: unknown;
}

export interface SignOptions {
  /** Sign with this key instead of the issuer's (a forged signature). */
  key?: KeyObject;
  kid?: string;
  alg?: string;
}

export class TestTokenIssuer {
  readonly kid = `test-${randomBytes(4).toString('hex')}`;
  private readonly keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private readonly path = `/${randomBytes(6).toString('hex')}`;
  private server?: Server;
  /** How many times the bot fetched the metadata and the keys. */
  readonly fetches = { metadata: 0, jwks: 0 };
  base = '';

  constructor(private readonly endorsements: string[] = ['msteams']) {}

  get metadataUrl(): string {
    return `${this.base}${this.path}/.well-known/openid-configuration`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === `${this.path}/.well-known/openid-configuration`) {
        this.fetches.metadata++;
        res.end(
          JSON.stringify({
            issuer: BOT_FRAMEWORK_ISSUER,
            authorization_endpoint: `${this.base}${this.path}/authorize`,
            jwks_uri: `${this.base}${this.path}/keys`,
            id_token_signing_alg_values_supported: ['RS256'],
            token_endpoint_auth_methods_supported: ['private_key_jwt'],
          }),
        );
        return;
      }
      if (req.url === `${this.path}/keys`) {
        this.fetches.jwks++;
        const jwk = this.keys.publicKey.export({ format: 'jwk' });
        res.end(JSON.stringify({ keys: [{ kty: 'RSA', use: 'sig', kid: this.kid, n: jwk.n, e: jwk.e, endorsements: this.endorsements }] }));
        return;
      }
      res.statusCode = 404;
      res.end('{}');
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A token as the connector would send it for this app and service URL, valid for an hour. */
  validClaims(appId: string, serviceUrl: string): TokenClaims {
    const now = Math.floor(Date.now() / 1000);
    return { iss: BOT_FRAMEWORK_ISSUER, aud: appId, serviceurl: serviceUrl, nbf: now - 60, iat: now - 60, exp: now + 3600 };
  }

  sign(claims: TokenClaims, options: SignOptions = {}): string {
    return signJwt(claims, options.key ?? this.keys.privateKey, options.kid ?? this.kid, options.alg ?? 'RS256');
  }
}

/** An RS256 JWT with Node's crypto (header.payload.signature, base64url). */
export function signJwt(claims: object, privateKey: KeyObject, kid: string, alg = 'RS256'): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const unsigned = `${encode({ alg, typ: 'JWT', kid })}.${encode(claims)}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url');
  return `${unsigned}.${signature}`;
}

/** Another RSA key: what an attacker without the issuer's key signs with. */
export function otherKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}
