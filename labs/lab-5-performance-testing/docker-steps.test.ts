// Check logic of the Docker part on Artillery 2.0.34 JSON reports captured on Docker Engine
// 20.10 (cgroup v1): a ramp against the catalogue with no pool, the gate against the previous
// release and against the fixed catalogue, and a run against a port where nothing listens.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { acceptsRate, answerRate, gateProblems, readReport, saturation, summarise, unreachable, type ArtilleryReport } from './artillery.ts';
import { gateWith, judgeGate, judgeReuse, judgeSaturation, sloMs, solutionEnsure } from './docker-steps.ts';

const fixture = (name: string) => readReport(new URL(`fixtures/${name}`, import.meta.url).pathname) as ArtilleryReport;
const ramp = fixture('artillery-ramp-unpooled.json');
const previous = fixture('artillery-gate-previous.json');
const current = fixture('artillery-gate-pooled.json');
const refused = fixture('artillery-unreachable.json');
const rampStarted = ramp.aggregate.firstMetricAt! - 5000;

describe('reading the report', () => {
  it('counts 2xx responses, errors and p95 from the aggregate', () => {
    expect(summarise(previous.aggregate)).toMatchObject({ requests: 300, ok: 101, errors: 199, unanswered: 0 });
    expect(summarise(previous.aggregate).p95).toBeGreaterThan(sloMs);
    expect(summarise(current.aggregate)).toMatchObject({ requests: 300, ok: 300, errors: 0 });
  });

  it('tells a target that never answered from a slow one', () => {
    expect(unreachable(refused)).toBe(true);
    expect(unreachable(previous)).toBe(false);
    expect(unreachable(ramp)).toBe(false);
  });

  it('finds the first 10-second period whose p95 missed the objective', () => {
    const sat = saturation(ramp, sloMs);
    expect(sat.periods.map((p) => p.requestRate)).toEqual([8, 17, 29, 38]);
    expect(sat.firstBad).toEqual({ requestRate: 29, p95: 2018.7 });
    expect(sat.lastGood).toEqual({ requestRate: 17, p95: 162.4 });
  });

  it('rejects a file that is not an Artillery report', () => {
    expect(() => readReport(new URL('fixtures/../meta.json', import.meta.url).pathname)).toThrow(/not an Artillery JSON report/);
  });
});

describe('the saturation answer', () => {
  it('accepts the rate where p95 went over, or the last one under, with some slack', () => {
    const sat = saturation(ramp, sloMs);
    for (const ok of [15, 17, 20, 29, 33]) expect(acceptsRate(ok, sat)).toBe(true);
    for (const wrong of [5, 8, 38, 40, 100]) expect(acceptsRate(wrong, sat)).toBe(false);
    expect(answerRate('about 29 rps')).toBe(29);
    expect(answerRate('saturates early')).toBeNull();
  });

  it('wants a fresh report of a ramp that reached the catalogue, then an answer', () => {
    expect(judgeSaturation(null, rampStarted, '29')).toMatchObject({ code: 'no-report' });
    expect(judgeSaturation(ramp, ramp.aggregate.lastMetricAt! + 1, '29')).toMatchObject({ code: 'stale-report' });
    expect(judgeSaturation(refused, 0, '29')).toMatchObject({ status: 'error', next: expect.stringMatching(/docker port m9-lab5-pod 8080/) });
    expect(judgeSaturation(ramp, rampStarted, undefined)).toMatchObject({ code: 'no-answer' });
    expect(judgeSaturation(ramp, rampStarted, '38')).toMatchObject({ code: 'wrong-answer' });
    expect(judgeSaturation(ramp, rampStarted, 'fast')).toMatchObject({ code: 'wrong-answer' });
    expect(judgeSaturation(ramp, rampStarted, '29/s')).toMatchObject({ status: 'pass', observed: expect.stringMatching(/2019 ms at 29\/s/) });
  });

  it('says so when the run never went past the objective', () => {
    expect(judgeSaturation(current, 0, '60')).toMatchObject({ code: 'no-saturation' });
  });
});

describe('connection reuse', () => {
  it('fails when every request opened a connection, passes a pool', () => {
    const ok = Array<number>(40).fill(200);
    expect(judgeReuse({ connections: 10, setups: 10, requests: 10 }, { connections: 52, setups: 51, requests: 50 }, ok)).toMatchObject({ code: 'new-connection-per-request' });
    expect(judgeReuse({ connections: 10, setups: 10, requests: 10 }, { connections: 15, setups: 14, requests: 50 }, ok)).toMatchObject({ status: 'pass', observed: expect.stringMatching(/used 3 new/) });
    expect(judgeReuse({ connections: 10, setups: 10, requests: 10 }, { connections: 12, setups: 11, requests: 45 }, [...ok.slice(5), 504, 504, 504, 504, 504])).toMatchObject({ code: 'probe-errors' });
  });
});

describe('the gate script', () => {
  it('accepts the solution and the usual ways of writing the checks', () => {
    expect(gateProblems(gateWith(solutionEnsure))).toBeNull();
    expect(gateProblems(gateWith({ thresholds: [{ 'http.response_time.p99': 800 }], maxErrorRate: 1 }))).toBeNull();
    expect(gateProblems(gateWith({ conditions: [{ expression: 'http.response_time.p95 < 500 and vusers.failed == 0' }] }))).toBeNull();
  });

  it('names what is missing', () => {
    const template = readFileSync(new URL('artillery/gate.yml', import.meta.url), 'utf8');
    expect(gateProblems(template)).toMatchObject({ code: 'no-ensure' });
    expect(gateProblems(gateWith({ thresholds: [{ 'http.response_time.p95': 500 }] }))).toMatchObject({ code: 'no-error-check' });
    expect(gateProblems(gateWith({ conditions: [{ expression: 'http.codes.200 / http.requests >= 0.99' }] }))).toMatchObject({ code: 'no-latency-check' });
    expect(gateProblems(gateWith({ thresholds: [{ 'http.response_time.p95': 500 }], conditions: [{ expression: 'vusers.failed == 0', strict: false }] }))).toMatchObject({ code: 'no-error-check' });
    expect(gateProblems('config: [')).toMatchObject({ code: 'invalid-yaml' });
  });

  it('keeps the load bounded and on the target the check gives', () => {
    const heavy = gateWith(solutionEnsure).replace('duration: 10', 'duration: 600');
    expect(gateProblems(heavy)).toMatchObject({ code: 'load-unbounded' });
    const elsewhere = gateWith(solutionEnsure).replace('url: /products/', 'url: http://example.com/products/');
    expect(gateProblems(elsewhere)).toMatchObject({ code: 'absolute-url' });
  });
});

describe('judging the gate runs', () => {
  it('passes a gate that fails the previous release and passes the fix', () => {
    expect(judgeGate({ exitCode: 1, report: previous }, { exitCode: 0, report: current })).toMatchObject({ status: 'pass', observed: expect.stringMatching(/66\.3% without a 2xx.*p95 69 ms, 0\.0% without/) });
  });

  it('fails a gate that lets the previous release through, or blocks the fix', () => {
    expect(judgeGate({ exitCode: 0, report: previous }, null)).toMatchObject({ code: 'gate-misses-regression' });
    expect(judgeGate({ exitCode: 1, report: previous }, { exitCode: 1, report: current })).toMatchObject({ code: 'gate-fails-fix' });
  });

  it('reports an unreachable target or a missing report as an error, never pass or fail', () => {
    expect(judgeGate({ exitCode: 1, report: refused }, null)).toMatchObject({ status: 'error' });
    expect(judgeGate({ exitCode: 1, report: previous }, { exitCode: 1, report: refused })).toMatchObject({ status: 'error' });
    expect(judgeGate({ exitCode: 2, report: null }, null)).toMatchObject({ status: 'error' });
  });
});
