import type { StageName } from '../runner/events.js';
import type { Stage } from '../runner/stage.js';
import { simStage } from './sim/stage.js';
import { loadStage } from './load/stage.js';
import { pipelineStage } from './pipeline/stage.js';
import { replayStage } from './replay/stage.js';

/** The stage registry: adding a subsystem means adding a stage here, nothing else. */
export const STAGES: Partial<Record<StageName, Stage>> = {
  sim: simStage,
  load: loadStage,
  pipeline: pipelineStage,
  replay: replayStage,
};
