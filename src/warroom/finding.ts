/** A WAR ROOM finding (DESIGN §3.3, §3.6). */
export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFO';

export const SEVERITY_SCORE: Record<Severity, number> = { CRITICAL: 100, HIGH: 75, MEDIUM: 40, LOW: 10, INFO: 0 };

export interface SourceLocation {
  /** Relative to the working directory (the repository root in CI). */
  file: string;
  line: number;
}

export interface Finding {
  id: string;
  runId: string;
  /** The finding type, the key into the remediation catalogue. */
  type: string;
  severity: Severity;
  score: number;
  subsystem: string;
  message: string;
  remediation: string;
  caseId?: string;
  location?: SourceLocation;
  timestamp: string;
}
