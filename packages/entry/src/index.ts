import { PLACEHOLDER } from '@docs/crypto';
export const TWO: number = PLACEHOLDER + 1;
