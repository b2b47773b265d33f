import type { Generation } from '../../../settings/types.js';
import type { ShapeBuilder } from './common.js';
import { toron25h } from './toron25h.js';
import { toron25hStability } from './toron25hStability.js';
import { toron3 } from './toron3.js';

export { ShapeRejection, type ShapeBuilder, type ShapeOptions, type Toron3Form } from './common.js';
export { toron25h, usesOpus25h, TIER_PATH_25H } from './toron25h.js';
export { toron25hStability, usesOpusStability } from './toron25hStability.js';
export { toron3 } from './toron3.js';

export const SHAPES: Record<Generation, ShapeBuilder> = {
  '2.5h': toron25h,
  '2.5h-stability': toron25hStability,
  '3': toron3,
};
