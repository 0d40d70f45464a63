// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { inParty } from '../state/party.test-helpers';
import type { Permission } from '../state/types';
import { ARM_MS, type PermissionCard } from './cards';

describe('<permission-card>', () => {
  it("takes Allow only a moment after it shows a request (a click meant for the card before does not allow it)", async () => {
    const { be, st } = await inParty('host');
    const el = document.createElement('permission-card') as PermissionCard;
    const p: Permission = { id: 't1', batch: 'b1', tool: 'Bash', summary: 'rm -rf build', status: 'pending' };
    el.state = st;
    el.permission = p;
    document.body.append(el);
    await el.updateComplete;
    const allow = () => el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=permission-allow]')!;
    const always = () => el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=permission-always]')!;
    expect(allow().disabled).toBe(true);
    expect(always().disabled).toBe(true);
    allow().click();
    always().click();
    expect(be.count('DecidePermission')).toBe(0);
    await new Promise((r) => setTimeout(r, ARM_MS + 50));
    await el.updateComplete;
    expect(allow().disabled).toBe(false);
    // The next request in the same card: a pause again.
    el.permission = { ...p, id: 't2', summary: 'touch x' };
    await el.updateComplete;
    expect(allow().disabled).toBe(true);
    await new Promise((r) => setTimeout(r, ARM_MS + 50));
    await el.updateComplete;
    allow().click();
    expect(be.count('DecidePermission')).toBe(1);
    el.remove();
  });

  it('made a host while a request waits: its Allow appears, and takes clicks a moment later', async () => {
    const { be, st } = await inParty('participant');
    const el = document.createElement('permission-card') as PermissionCard;
    el.state = st;
    el.permission = { id: 't1', batch: 'b1', tool: 'Bash', summary: 'rm -rf build', status: 'pending' };
    document.body.append(el);
    await el.updateComplete;
    const allow = () => el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid=permission-allow]');
    expect(allow()).toBeNull(); // a participant waits for the host
    await new Promise((r) => setTimeout(r, ARM_MS + 50));
    be.emit('party:event', { seq: 1, ts: '', kind: 'participants', changed: { ...st.session!.you, role: 'host' }, count: 2 });
    await el.updateComplete;
    expect(allow()?.disabled).toBe(true);
    await new Promise((r) => setTimeout(r, ARM_MS + 50));
    await el.updateComplete;
    expect(allow()?.disabled).toBe(false);
    el.remove();
  });
});
