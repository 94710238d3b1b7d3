import { createPrivateKey, createPublicKey, sign as nodeSign } from 'node:crypto';
import { Point } from '@noble/ed25519';
import { describe, expect, it } from 'vitest';
import { seedToPkcs8 } from '../src/ed25519-der.js';
import { tableVerifierBytes, type TableVerifierExports } from '../src/ed25519-table-verifier.js';

function instantiate(keyTables: number): { verifier: TableVerifierExports; records: number } {
  const module = new WebAssembly.Module(tableVerifierBytes());
  const verifier = new WebAssembly.Instance(module, {}).exports as unknown as TableVerifierExports;
  return { verifier, records: verifier.init(keyTables) };
}

const FIELD_PRIME = (1n << 255n) - 19n;

function encodeY(y: bigint, sign: boolean): Uint8Array {
  const bytes = new Uint8Array(32);
  for (let index = 0; index < 32; index++) bytes[index] = Number((y >> BigInt(8 * index)) & 0xffn);
  if (sign) bytes[31]! |= 0x80;
  return bytes;
}

function keyPair(fill: number): { publicKey: Uint8Array; sign(message: Uint8Array): Uint8Array } {
  const key = createPrivateKey({ key: Buffer.from(seedToPkcs8(new Uint8Array(32).fill(fill))), format: 'der', type: 'pkcs8' });
  const publicKey = new Uint8Array(Buffer.from(createPublicKey(key).export({ format: 'jwk' }).x!, 'base64url'));
  return { publicKey, sign: (message) => new Uint8Array(nodeSign(null, message, key)) };
}

describe('the table verifier module (assembly/ed25519-verify.ts)', () => {
  it('decodes public keys as a strict decoder does, y near 0 and near p included (values near p and just below 0)', () => {
    const { verifier, records } = instantiate(1);
    let points = 0;
    for (const y of [...Array.from({ length: 64 }, (_, index) => BigInt(index)), ...Array.from({ length: 64 }, (_, index) => FIELD_PRIME - 1n - BigInt(index))]) {
      for (const sign of [false, true]) {
        const encoding = encodeY(y, sign);
        let isPoint: boolean;
        try {
          Point.fromBytes(encoding, false);
          isPoint = true;
        } catch {
          isPoint = false;
        }
        new Uint8Array(verifier.memory.buffer).set(encoding, records);
        expect([y, sign, verifier.setKey(1)]).toEqual([y, sign, isPoint ? 1 : 0]);
        if (isPoint) points++;
      }
    }
    expect(points).toBeGreaterThan(50);
  });

  it('answers false for a record whose A is not its table key, whatever the signature', () => {
    const { verifier, records } = instantiate(1);
    const signer = keyPair(1);
    const other = keyPair(2);
    const memory = (): Uint8Array => new Uint8Array(verifier.memory.buffer);
    memory().set(signer.publicKey, records);
    expect(verifier.setKey(1)).toBe(1);
    const message = Uint8Array.from([1, 2, 3]);
    const signature = signer.sign(message);
    const record = (publicKey: Uint8Array): void => {
      const view = new DataView(verifier.memory.buffer);
      view.setUint32(records, 1, true);
      view.setUint32(records + 4, message.length, true);
      memory().set(publicKey, records + 8);
      memory().set(signature, records + 40);
      memory().set(message, records + 104);
      verifier.verifyBatch(1);
    };
    record(signer.publicKey);
    expect(memory()[verifier.verdictsOffset()]).toBe(1);
    record(other.publicKey);
    expect(memory()[verifier.verdictsOffset()]).toBe(0);
  });
});
