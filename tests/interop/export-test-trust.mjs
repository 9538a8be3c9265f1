// Writes the roots of trust a matter.js test device chains to, as DER and PEM, so a test can
// hand them to threshold-cli as a development trust store:
//   test-paa-novid   the "Matter Test PAA" without a vendor id; matter.js devices make their
//                    PAI and DAC under it at every start
//   test-paa-fff1    the "Matter Test PAA" for vendor 0xFFF1
//   cd-signer        the certificate whose key signs the device's Certification Declaration
//
//   node export-test-trust.mjs DIR
//
// Prints one JSON line per certificate: its files, subject, SHA-256 of the DER, and validity.
// The certificates come from the installed @matter/protocol, so they are whatever the pinned
// version uses.

import { CertificationDeclaration, TestCert_PAA_FFF1_Cert, TestCert_PAA_NoVID_Cert }
  from "@matter/protocol";
import { X509Certificate, createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

if (process.argv.length !== 3) {
  process.stderr.write("usage: node export-test-trust.mjs OUTPUT-DIRECTORY\n");
  process.exit(2);
}
const dir = process.argv[2];
mkdirSync(dir, { recursive: true });

const certificates = {
  "test-paa-novid": TestCert_PAA_NoVID_Cert,
  "test-paa-fff1": TestCert_PAA_FFF1_Cert,
  "cd-signer": CertificationDeclaration.testSignerCertificate(),
};

for (const [name, bytes] of Object.entries(certificates)) {
  const der = Buffer.from(bytes);
  // Parsing first makes sure only a well-formed certificate is written.
  const certificate = new X509Certificate(der);
  const base64 = der.toString("base64").match(/.{1,64}/g).join("\n");
  const pem = `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
  writeFileSync(join(dir, `${name}.der`), der);
  writeFileSync(join(dir, `${name}.pem`), pem);
  process.stdout.write(JSON.stringify({
    name,
    der: join(dir, `${name}.der`),
    pem: join(dir, `${name}.pem`),
    subject: certificate.subject,
    sha256: createHash("sha256").update(der).digest("hex"),
    validFrom: certificate.validFrom,
    validTo: certificate.validTo,
  }) + "\n");
}
