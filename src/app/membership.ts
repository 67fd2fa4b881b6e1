import {
  practiceById,
  practiceForConfiguredStaff,
  practiceForTeam,
  type Practice,
  type PracticeDirectory,
} from '../domain/practice.ts';
import type { MembershipStore } from '../store/ports.ts';

/**
 * Which practice a person acts for. In a channel it is the practice that owns the Team; in 1:1
 * chat it is the practice configured for the person, or the one whose Team they were last seen in.
 */
const RECENT_MS = 60_000;
const RECENT_LIMIT = 10_000;

export class Membership {
  /** Learnt memberships seen recently, so a person's every turn is not a storage query. */
  private readonly recent = new Map<string, { practiceId: string; at: number }>();

  constructor(
    private readonly directory: PracticeDirectory,
    private readonly store: MembershipStore,
    private readonly now: () => Date,
  ) {}

  forTeam(teamId: string | undefined): Practice | undefined {
    return practiceForTeam(this.directory, teamId) ?? this.defaultPractice();
  }

  async forPerson(aadObjectId: string): Promise<Practice | undefined> {
    const configured = practiceForConfiguredStaff(this.directory, aadObjectId);
    if (configured) return configured;
    const learnt = await this.learnt(aadObjectId);
    const practice = learnt ? practiceById(this.directory, learnt) : undefined;
    return practice ?? this.defaultPractice();
  }

  /** Seen in the practice's Team: from now on their 1:1 chat belongs to that practice. */
  async remember(aadObjectId: string, practice: Practice): Promise<void> {
    if (this.directory.defaultPracticeId === practice.id && this.directory.practices.length === 1) return;
    await this.store.remember(aadObjectId, practice.id, this.now());
    this.recent.set(aadObjectId.toLowerCase(), { practiceId: practice.id, at: this.now().getTime() });
  }

  private async learnt(aadObjectId: string): Promise<string | undefined> {
    const key = aadObjectId.toLowerCase();
    const now = this.now().getTime();
    const hit = this.recent.get(key);
    if (hit && now - hit.at < RECENT_MS) return hit.practiceId;
    const practiceId = await this.store.practiceOf(aadObjectId);
    // Someone not known yet is asked again next time: they may be learnt by another instance meanwhile.
    if (practiceId) {
      if (this.recent.size >= RECENT_LIMIT) this.recent.clear();
      this.recent.set(key, { practiceId, at: now });
    }
    return practiceId;
  }

  practice(id: string): Practice | undefined {
    return practiceById(this.directory, id);
  }

  private defaultPractice(): Practice | undefined {
    return this.directory.defaultPracticeId ? practiceById(this.directory, this.directory.defaultPracticeId) : undefined;
  }
}
