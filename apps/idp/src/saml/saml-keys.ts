/**
 * The IdP's SAML signing keys: an RSA key (RSA-SHA256 signatures, SAML Core §5.4 / XML DSig) with a
 * self-signed X.509 certificate, persisted in idp.db (`saml_keys`). SAML metadata carries certificates,
 * not JWKs, so this is a key of its own beside the JWT signing keys; it follows them: each row records
 * the JWT `kid` it accompanies, and when the JWT key rotates the next use of this store rotates the
 * SAML key too. A retired key stays published (metadata `KeyDescriptor`) and accepted for token
 * exchange for the same overlap window as the JWT keys.
 */
import { generateKeyPair, randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { Db } from '@xaa/node-kit';
import forge from 'node-forge';

export interface SamlKey {
  id: string;
  privatePem: string;
  certPem: string;
  /** The certificate's base64 DER (what metadata and `<ds:X509Certificate>` carry). */
  certBase64: string;
  jwtKid: string;
  createdAt: number;
  retiredAt: number | null;
}

type Row = { id: string; private_pem: string; cert_pem: string; jwt_kid: string; created_at: number; retired_at: number | null };

const generateRsa = promisify(generateKeyPair);

/** A self-signed certificate for the key (node-forge builds and signs the X.509 structure, SHA-256). */
function selfSigned(privatePem: string, publicPem: string, subject: string, nowSeconds: number): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  // RFC 5280 §4.1.2.2: a positive serial number of at most 20 octets.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date((nowSeconds - 60) * 1000);
  cert.validity.notAfter = new Date((nowSeconds + 5 * 365 * 86400) * 1000);
  const name = [{ name: 'commonName', value: `${subject.slice(0, 40)} SAML signing` }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', critical: true, digitalSignature: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privatePem), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

export function certBase64(certPem: string): string {
  return certPem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

export class SamlKeyStore {
  private rotating: Promise<SamlKey> | undefined;

  constructor(
    private readonly db: Db,
    private readonly nowMs: () => number,
    readonly overlapSeconds: number,
    /** The current JWT signing key's kid (the SAML key follows its rotations). */
    private readonly jwtKid: () => string | undefined,
    private readonly subject: string,
  ) {}

  private now(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  private rows(): SamlKey[] {
    return (this.db.prepare('SELECT * FROM saml_keys ORDER BY created_at DESC, rowid DESC').all() as Row[]).map((r) => ({
      id: r.id,
      privatePem: r.private_pem,
      certPem: r.cert_pem,
      certBase64: certBase64(r.cert_pem),
      jwtKid: r.jwt_kid,
      createdAt: r.created_at,
      retiredAt: r.retired_at,
    }));
  }

  /** The current key, rotated first if the JWT signing key has changed since it was made. */
  async current(): Promise<SamlKey> {
    const kid = this.jwtKid() ?? 'none';
    const cur = this.rows().find((k) => k.retiredAt === null);
    if (cur && cur.jwtKid === kid) return cur;
    this.rotating ??= this.rotate(kid).finally(() => {
      this.rotating = undefined;
    });
    return this.rotating;
  }

  /** Keys whose signatures are accepted and whose certificates are published: current first. */
  async published(): Promise<SamlKey[]> {
    await this.current();
    const now = this.now();
    return this.rows().filter((k) => k.retiredAt === null || k.retiredAt + this.overlapSeconds > now);
  }

  private async rotate(jwtKid: string): Promise<SamlKey> {
    const { privateKey: privatePem, publicKey: publicPem } = await generateRsa('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const now = this.now();
    const certPem = selfSigned(privatePem, publicPem, this.subject, now);
    const id = `saml_${randomUUID()}`;
    this.db.transaction(() => {
      this.db.prepare('UPDATE saml_keys SET retired_at = ? WHERE retired_at IS NULL').run(now);
      this.db
        .prepare('INSERT INTO saml_keys (id, private_pem, cert_pem, jwt_kid, created_at, retired_at) VALUES (?, ?, ?, ?, ?, NULL)')
        .run(id, privatePem, certPem, jwtKid, now);
      this.db.prepare('DELETE FROM saml_keys WHERE retired_at IS NOT NULL AND retired_at + ? <= ?').run(this.overlapSeconds, now);
    })();
    return this.rows().find((k) => k.id === id) as SamlKey;
  }
}
