import {
  audioNameProblem,
  collaboratorsProblem,
  coverUrlProblem,
  formatDateTime,
  parseCollaborators,
  scheduledReelName,
  thumbOffsetMs,
  thumbOffsetProblem,
} from './reel-view';

/* The "More options" rules, as the API's CreateReelDto has them (src/modules/publishing/dto/reel.dto.ts). */

describe('reel-view: more options', () => {
  it.each<[string, string | null]>([
    ['https://cdn.example.com/cover.jpg', null],
    ['  https://cdn.example.com/cover.jpg ', null],
    ['', "Enter the cover image's address."],
    ['http://cdn.example.com/cover.jpg', 'Use a public https:// address for the cover image.'],
    ['cdn.example.com/cover.jpg', 'Use a public https:// address for the cover image.'],
    [
      `https://cdn.example.com/${'a'.repeat(2030)}.jpg`,
      'The address is too long: at most 2,048 characters.',
    ],
  ])('should judge the cover URL %j as %j', (url, problem) => {
    expect(coverUrlProblem(url)).toBe(problem);
  });

  it.each<[string, number | null, string | null]>([
    ['0', 0, null],
    ['1.5', 1500, null],
    ['1,5', 1500, null],
    [' 2 ', 2000, null],
    ['0.0004', 0, null],
    ['900', 900_000, null],
    ['900.001', 900_001, 'The cover frame must be within the first 15 minutes.'],
    ['', null, 'Enter the second of the video to use as the cover, e.g. 1.5.'],
    ['-1', null, 'Enter the time in seconds, e.g. 1.5.'],
    ['1.5s', null, 'Enter the time in seconds, e.g. 1.5.'],
    ['1e3', null, 'Enter the time in seconds, e.g. 1.5.'],
  ])('should read the cover frame %j as %j ms with problem %j', (raw, ms, problem) => {
    expect(thumbOffsetMs(raw)).toBe(ms);
    expect(thumbOffsetProblem(raw)).toBe(problem);
  });

  it('should allow an audio name of 255 characters, emoji counted once, and not 256', () => {
    expect(audioNameProblem('a'.repeat(255))).toBeNull();
    expect(audioNameProblem('☕'.repeat(255))).toBeNull();
    expect(audioNameProblem('🎵'.repeat(255))).toBeNull();
    expect(audioNameProblem('a'.repeat(256))).toBe(
      'The audio name is too long: at most 255 characters.',
    );
  });

  it.each<[string, string[]]>([
    ['', []],
    ['  ', []],
    ['@acme.roastery', ['@acme.roastery']],
    ['acme.roastery, bean_team', ['acme.roastery', 'bean_team']],
    ['@a @b,@c', ['@a', '@b', '@c']],
    ['@Acme acme, ACME', ['@Acme']],
  ])('should read the collaborators %j as %j', (raw, names) => {
    expect(parseCollaborators(raw)).toEqual(names);
  });

  it.each<[string[], string | null]>([
    [[], null],
    [['acme.roastery', '@bean_team', 'x'], null],
    [['a'.repeat(30)], null],
    [['a', 'b', 'c', 'd'], 'Invite at most 3 collaborators; Instagram allows no more.'],
    [
      ['a'.repeat(31)],
      `"${'a'.repeat(31)}" is not an Instagram username: use up to 30 letters, numbers, periods and underscores.`,
    ],
    [
      ['ok', 'bean-team'],
      '"bean-team" is not an Instagram username: use up to 30 letters, numbers, periods and underscores.',
    ],
    [
      ['@'],
      '"@" is not an Instagram username: use up to 30 letters, numbers, periods and underscores.',
    ],
  ])('should judge the collaborators %j as %j', (names, problem) => {
    expect(collaboratorsProblem(names)).toBe(problem);
  });

  it('should name a scheduled reel by its time and the start of its caption', () => {
    const at = '2026-06-20T09:00:00.000Z';
    expect(scheduledReelName({ publish_at: at, caption: null })).toBe(
      `the reel scheduled for ${formatDateTime(at)}`,
    );
    expect(scheduledReelName({ publish_at: at, caption: 'Launch\nday #coffee' })).toBe(
      `the reel scheduled for ${formatDateTime(at)}, "Launch day #coffee"`,
    );
    expect(scheduledReelName({ publish_at: at, caption: 'x'.repeat(50) })).toBe(
      `the reel scheduled for ${formatDateTime(at)}, "${'x'.repeat(40)}…"`,
    );
  });
});
