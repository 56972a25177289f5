// The benchmark's dataset sizes: S fits CI, M is 200,000 entries, L is a large account. Years end
// with the current one.
export interface BenchSize {
  entries: number;
  projects: number;
  customers: number;
  absencesPerYear: number;
  users: number;
  years: number;
}

export const SIZES = {
  S: { entries: 5_000, projects: 150, customers: 40, absencesPerYear: 60, users: 12, years: 3 },
  M: { entries: 200_000, projects: 1_200, customers: 300, absencesPerYear: 250, users: 60, years: 3 },
  L: { entries: 1_000_000, projects: 20_000, customers: 5_000, absencesPerYear: 4_000, users: 400, years: 5 },
} satisfies Record<string, BenchSize>;

export type SizeName = keyof typeof SIZES;
