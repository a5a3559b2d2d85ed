// Which level rule of a standard a dossier's target level is judged by.
import type { TargetLevel } from '../db/schema.ts';
import type { LevelRule } from '../standards/standard-schema.ts';

export function levelForTarget(levels: readonly LevelRule[], target: TargetLevel): LevelRule | undefined {
  // A 社区医院 dossier uses the community-hospital standard, whose single level is its 基本标准.
  const id = target === 'community_hospital' ? 'basic' : target;
  return levels.find((l) => l.id === id);
}

export const TARGET_LEVELS: readonly TargetLevel[] = ['basic', 'recommended', 'community_hospital'];
