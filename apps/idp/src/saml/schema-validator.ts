/**
 * The XML Schema check samlify runs on every SAML message before it reads one (samlify refuses to
 * parse anything until a validator is set): each message is validated against the OASIS SAML 2.0
 * protocol schema and the schemas it imports (assertion, XML-DSig, XML Encryption).
 *
 * libxml2's xmllint compiled to WebAssembly (`xmllint-wasm`) does the validation, in a short-lived
 * worker thread per message: nothing stays resident between SAML sign-ins, and the first one waits for
 * a WebAssembly compile of well under a second instead of the several seconds (and tens of MB kept for
 * good) the older asm.js build cost. The schema texts are the set samlify's own validator modules ship
 * (`@authenio/samlify-node-xmllint`'s schema files; its asm.js validator is not loaded).
 * `xmllint-wasm` stays outside the bundle `npm start` runs (it starts its worker from its own file).
 */
import assertionXsd from '@authenio/samlify-node-xmllint/build/schemas/saml-schema-assertion-2.0.xsd.js';
import protocolXsd from '@authenio/samlify-node-xmllint/build/schemas/saml-schema-protocol-2.0.xsd.js';
import xencXsd from '@authenio/samlify-node-xmllint/build/schemas/xenc-schema.xsd.js';
import xmldsigXsd from '@authenio/samlify-node-xmllint/build/schemas/xmldsig-core-schema.xsd.js';

/** CommonJS modules whose `default` is the schema text (esbuild and Node's loader differ on the wrapping). */
const text = (m: unknown): string => {
  const d = (m as { default?: unknown }).default ?? m;
  return typeof d === 'string' ? d : ((d as { default: string }).default as string);
};

/** File names as the schemas' own `xs:import schemaLocation`s name them. */
const PRELOAD = [
  { fileName: 'saml-schema-assertion-2.0.xsd', contents: text(assertionXsd) },
  { fileName: 'xmldsig-core-schema.xsd', contents: text(xmldsigXsd) },
  { fileName: 'xenc-schema.xsd', contents: text(xencXsd) },
];
const PROTOCOL = { fileName: 'saml-schema-protocol-2.0.xsd', contents: text(protocolXsd) };

/** The message failed the schema; `errors` are xmllint's lines (positions in the message, no content). */
export class SamlSchemaError extends Error {
  constructor(readonly errors: string[]) {
    super('ERR_EXCEPTION_VALIDATE_XML');
  }
}

/**
 * samlify's validator contract: resolve when the message is schema-valid, reject otherwise. A message
 * xmllint cannot even run on (out of memory, a crash) is rejected too: no message is read unchecked.
 */
export async function validateSamlXml(xml: string): Promise<string> {
  const { validateXML } = await import('xmllint-wasm');
  const result = await validateXML({
    xml: [{ fileName: 'message.xml', contents: xml }],
    schema: [PROTOCOL],
    preload: PRELOAD,
  });
  if (result.valid) return 'SUCCESS_VALIDATE_XML';
  throw new SamlSchemaError(result.errors.map((e) => e.message));
}
