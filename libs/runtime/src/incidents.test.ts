import { IncidentLog } from './incidents';

test('keeps the newest incidents up to its size, and counts every one by code', () => {
  const log = new IncidentLog(3);
  const ids = ['E5001', 'E5002', 'E5002', 'E5003'].map((code, i) => log.open(code as 'E5001', `where-${i}`));
  const { by_code, recent } = log.snapshot();
  expect(by_code).toEqual({ E5001: 1, E5002: 2, E5003: 1 });
  expect(recent.map((i) => i.incident_id)).toEqual([ids[3], ids[2], ids[1]]);
  expect(recent[0]).toMatchObject({ code: 'E5003', where: 'where-3', incident_id: expect.stringMatching(/^INC-\d{8}-[0-9A-F]{8}$/) });
});
