// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { errorField, isHome } from './home-screen';

describe('errorField', () => {
  it("names the field Go's checks speak of", () => {
    expect(errorField('The working folder "/x" does not exist.')).toBe('workdir');
    expect(errorField('Choose the folder Claude Code works in.')).toBe('workdir');
    expect(errorField('"/etc/hosts" is a file, not a folder.')).toBe('workdir');
    expect(errorField('Claude Code was not found (looked for "claude"). Install it…')).toBe('claudePath');
    expect(errorField('The batching window must be between 0.1 and 600 seconds.')).toBe('windowSec');
    expect(errorField('Min prompts must be a whole number from 1 to 100.')).toBe('minPrompts');
    expect(errorField('The display name is empty.')).toBe('name');
    expect(errorField('The extra Claude Code arguments have a \' without its closing \'.')).toBe('claudeArgs');
    expect(errorField('Concordia runs Claude Code in its own mode; remove -p.')).toBe('claudeArgs');
    expect(errorField('The tool request timeout must be between 0.25 and 1440 minutes (15 seconds to 24 hours).')).toBe('permissionTimeout');
    // Not about a field (a reviewer found these marked the wrong one).
    expect(errorField('This party is running already, in another Concordia window or terminal.')).toBeNull();
    expect(errorField('Share the working folder off, changes or tree, not "x".')).toBeNull();
    expect(errorField('127.0.0.1:8765 is in use by another program.')).toBeNull();
    expect(errorField('')).toBeNull();
  });
});

describe('isHome', () => {
  it('warns of the whole home folder, not of a folder in it', () => {
    expect(isHome('/home/ann', '/home/ann')).toBe(true);
    expect(isHome(' /home/ann/ ', '/home/ann')).toBe(true);
    expect(isHome('/home/ann/project', '/home/ann')).toBe(false);
    expect(isHome('', '/home/ann')).toBe(false);
    expect(isHome('/home/ann', '')).toBe(false);
    // A folder that holds it, and Windows paths (a reviewer).
    expect(isHome('/', '/home/ann')).toBe(true);
    expect(isHome('/home', '/home/ann')).toBe(true);
    expect(isHome('/home/an', '/home/ann')).toBe(false);
    expect(isHome('c:/users/ANN', 'C:\\Users\\Ann')).toBe(true);
    expect(isHome('C:\\', 'C:\\Users\\Ann')).toBe(true);
    expect(isHome('C:\\Users\\Ann\\code', 'C:\\Users\\Ann')).toBe(false);
    // Written otherwise, the same folder (a reviewer's got past the question).
    expect(isHome('/home//ann/.', '/home/ann')).toBe(true);
    expect(isHome('/home/x/../ann', '/home/ann')).toBe(true);
    expect(isHome('/home/ann/./code', '/home/ann')).toBe(false);
    expect(isHome('C:/Users//Ann/', 'C:\\Users\\Ann')).toBe(true);
  });
});
