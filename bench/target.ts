// A benchmark target: what was measured against what the issue asks, shown as PASS or MISS.
export interface Target {
  name: string;
  measured: string;
  pass: boolean;
}
