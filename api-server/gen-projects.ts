// Projects: each references an existing customer; the first records carry the awkward cases.
import { idPool, MAX_INT32 } from './ids';
import { Rng } from './random';
import { DAY, formatDate, startOfYear } from './time';
import { Customer, Project } from './types';
import {
  AWKWARD_PROJECT_NAMES,
  AWKWARD_TEXTS,
  NOTE_SENTENCES,
  PROJECT_SUFFIXES,
  PROJECT_TOPICS,
} from './vocabulary';

type Override = (p: Project, ctx: { customers: Customer[]; years: number[] }) => void;

const ALL_NULL = {
  number: null,
  note: null,
  budget_money: null,
  budget_is_hours: false,
  budget_is_not_strict: false,
  billed_money: null,
  billed_completely: null,
  revenue_factor: null,
  deadline: null,
};

const PROJECT_OVERRIDES: Override[] = [
  (p, { years }) =>
    Object.assign(p, {
      name: AWKWARD_PROJECT_NAMES[0],
      budget_money: 1234.56,
      budget_is_hours: false,
      revenue_factor: 1.25,
      deadline: `${years[years.length - 1]}-12-31`,
      active: true,
      completed: false,
    }),
  (p) => Object.assign(p, ALL_NULL),
  (p, { years }) =>
    Object.assign(p, {
      name: AWKWARD_PROJECT_NAMES[1],
      active: false,
      completed: true,
      billed_money: 9876.54,
      billed_completely: true,
      deadline: `${years[0]}-06-30`,
    }),
  (p) => Object.assign(p, { number: '', note: '' }),
  (p, { customers }) =>
    Object.assign(p, {
      name: AWKWARD_PROJECT_NAMES[2],
      customers_id: Math.max(...customers.map((c) => c.id)),
    }),
  (p) =>
    Object.assign(p, {
      name: AWKWARD_PROJECT_NAMES[3],
      note: AWKWARD_TEXTS[6],
      budget_money: 37.5,
      budget_is_hours: true,
      budget_is_not_strict: true,
    }),
];

export function generateProjects(rng: Rng, count: number, customers: Customer[], years: number[]): Project[] {
  if (customers.length === 0 && count > 0) throw new Error('projects need at least one customer');
  const ids = idPool(rng, count, 20000, [2147480001, MAX_INT32 - 1]);
  const projects: Project[] = [];
  for (let i = 0; i < count; i++) projects.push(randomProject(rng, ids[i], rng.pick(customers), years));
  const ctx = { customers, years };
  PROJECT_OVERRIDES.forEach((apply, i) => {
    if (i < projects.length) apply(projects[i], ctx);
  });
  return projects;
}

function randomProject(rng: Rng, id: number, customer: Customer, years: number[]): Project {
  // Projects of inactive customers are mostly inactive too, as in a real account.
  const active = customer.active ? rng.chance(0.85) : rng.chance(0.1);
  const hasBudget = rng.chance(0.5);
  const budgetIsHours = hasBudget && rng.chance(0.3);
  const completed = !active && rng.chance(0.7);
  const billedMoney = completed || rng.chance(0.3) ? rng.money(100, 50000) : null;
  const suffix = rng.pick(PROJECT_SUFFIXES);
  return {
    id,
    customers_id: customer.id,
    name: suffix ? `${rng.pick(PROJECT_TOPICS)} ${suffix}` : rng.pick(PROJECT_TOPICS),
    number: rng.chance(0.6) ? `P-${rng.pick(years)}-${String(rng.int(1, 999)).padStart(3, '0')}` : null,
    active,
    billable_default: customer.billable_default ? rng.chance(0.9) : rng.chance(0.2),
    note: rng.chance(0.3) ? rng.pick(NOTE_SENTENCES) : null,
    budget_money: !hasBudget ? null : budgetIsHours ? rng.int(10, 800) / 2 : rng.money(1000, 80000),
    budget_is_hours: budgetIsHours,
    budget_is_not_strict: hasBudget && rng.chance(0.3),
    completed,
    billed_money: billedMoney,
    billed_completely: billedMoney !== null ? rng.chance(0.5) : rng.chance(0.5) ? false : null,
    revenue_factor: rng.weighted<number | null>([
      [null, 7],
      [1.25, 1],
      [0.8, 1],
      [1.5, 1],
    ]),
    deadline: rng.chance(0.35) ? randomDate(rng, years) : null,
  };
}

function randomDate(rng: Rng, years: number[]): string {
  const from = startOfYear(years[0]);
  const to = startOfYear(years[years.length - 1] + 2);
  return formatDate(from + rng.int(0, Math.floor((to - from) / DAY) - 1) * DAY);
}
