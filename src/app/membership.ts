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
export class Membership {
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
    const learnt = await this.store.practiceOf(aadObjectId);
    const practice = learnt ? practiceById(this.directory, learnt) : undefined;
    return practice ?? this.defaultPractice();
  }

  /** Seen in the practice's Team: from now on their 1:1 chat belongs to that practice. */
  async remember(aadObjectId: string, practice: Practice): Promise<void> {
    if (this.directory.defaultPracticeId === practice.id && this.directory.practices.length === 1) return;
    await this.store.remember(aadObjectId, practice.id, this.now());
  }

  practice(id: string): Practice | undefined {
    return practiceById(this.directory, id);
  }

  private defaultPractice(): Practice | undefined {
    return this.directory.defaultPracticeId ? practiceById(this.directory, this.directory.defaultPracticeId) : undefined;
  }
}
