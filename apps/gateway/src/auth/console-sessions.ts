import { randomBytes } from 'node:crypto';
import { API_ROLES, type ApiRole, type ConsoleSessionSettings, readPeopleSettings } from '@prov/config';
import { jwtVerify, SignJWT } from 'jose';
import type { Caller } from './caller';

const ISSUER = 'prov-gateway';
const AUDIENCE_SESSION = 'prov-console';
const AUDIENCE_LOGIN = 'prov-login';

/** A person as the console session carries them. */
export interface Person {
  subject: string;
  name: string;
  role: ApiRole;
}

/** What the gateway remembers between sending a person to the provider and their return. */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

/**
 * Console sessions and pending logins as short-lived tokens signed with SESSION_SECRET (HS256):
 * the gateway keeps no session table, so any gateway replica accepts them and a restart does not
 * sign people out (unless the key is the random one made when SESSION_SECRET is not set).
 */
export class ConsoleSessions {
  private readonly key: Uint8Array;
  private readonly ttlSeconds: number;

  constructor(settings: ConsoleSessionSettings) {
    this.key = settings.secret ? new TextEncoder().encode(settings.secret) : randomBytes(32);
    this.ttlSeconds = settings.ttlSeconds;
  }

  get sessionSeconds(): number {
    return this.ttlSeconds;
  }

  async issue(person: Person): Promise<string> {
    return new SignJWT({ name: person.name, role: person.role })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE_SESSION)
      .setSubject(person.subject)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  /** The caller a console session stands for; undefined when it is not one, forged or expired. */
  async callerOf(presented: string): Promise<Caller | undefined> {
    if (presented.split('.').length !== 3) return undefined;
    try {
      const { payload } = await jwtVerify(presented, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE_SESSION,
        algorithms: ['HS256'],
      });
      const role = payload.role as ApiRole;
      if (!API_ROLES.includes(role) || typeof payload.sub !== 'string' || typeof payload.name !== 'string')
        return undefined;
      return { role, actor: actorOf({ subject: payload.sub, name: payload.name }), kind: 'person' };
    } catch {
      return undefined;
    }
  }

  async sealLogin(login: PendingLogin, ttlSeconds = 600): Promise<string> {
    return new SignJWT({ ...login })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE_LOGIN)
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.key);
  }

  async openLogin(sealed: string): Promise<PendingLogin | undefined> {
    try {
      const { payload } = await jwtVerify(sealed, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE_LOGIN,
        algorithms: ['HS256'],
      });
      const { state, nonce, codeVerifier, returnTo } = payload as Record<string, unknown>;
      if ([state, nonce, codeVerifier, returnTo].some((v) => typeof v !== 'string')) return undefined;
      return { state, nonce, codeVerifier, returnTo } as PendingLogin;
    } catch {
      return undefined;
    }
  }
}

export const consoleSessionsProvider = {
  provide: ConsoleSessions,
  useFactory: () => new ConsoleSessions(readPeopleSettings().session),
};

/** `Rita Reviewer (rita)`: the name people recognise, and the subject that stays unique. */
export function actorOf(person: Pick<Person, 'subject' | 'name'>): string {
  const clean = (text: string, max: number) =>
    text
      .replace(/\s+/g, ' ')
      .replace(/[\p{Cc}\p{Cf}]/gu, '')
      .trim()
      .slice(0, max);
  const subject = clean(person.subject, 90);
  const name = clean(person.name, 100);
  return name && name !== subject ? `${name} (${subject})` : subject;
}
