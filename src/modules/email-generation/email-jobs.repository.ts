import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { OwnedRepository, type Owner } from '../../core/auth/owner-scope.js';
import { ProcessingStatus } from '../../core/processing/processing-status.js';
import { EmailJob } from './entities/email-job.entity.js';

@Injectable()
export class EmailJobsRepository extends OwnedRepository<EmailJob> {
  constructor(@InjectRepository(EmailJob) private readonly jobs: Repository<EmailJob>) {
    super(jobs, 'Email job');
  }

  get entities(): Repository<EmailJob> {
    return this.jobs;
  }

  /** For processors, which get ids from queue jobs (no owner). */
  findById(id: string): Promise<EmailJob | null> {
    return this.jobs.findOneBy({ id });
  }

  listPage(owner: Owner, limit: number, offset: number): Promise<EmailJob[]> {
    return this.jobs.find({
      where: { ownerId: owner.id },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: limit,
      skip: offset,
    });
  }

  findProcessing(): Promise<EmailJob[]> {
    return this.jobs.find({ where: { processing: { status: ProcessingStatus.Processing } } });
  }

  /** Paused by a quota stop whose reset time has passed (a missed resume job, e.g. Redis lost it). */
  async findDueForResume(): Promise<EmailJob[]> {
    return this.jobs
      .createQueryBuilder('j')
      .where('j.processing_status = :paused', { paused: ProcessingStatus.Paused })
      .andWhere('j.resume_at IS NOT NULL AND j.resume_at <= now()')
      .getMany();
  }

  /** Rows finished in the last minute: the job's current rate. */
  async ratesPerMinute(ids: readonly string[]): Promise<Map<string, number>> {
    const rates = new Map<string, number>();
    if (ids.length === 0) return rates;
    const rows: { job_id: string; n: number }[] = await this.jobs.query(
      `SELECT job_id, count(*)::int AS n FROM email_rows
        WHERE job_id = ANY($1::uuid[]) AND finished_at > now() - interval '60 seconds'
        GROUP BY job_id`,
      [ids],
    );
    for (const row of rows) rates.set(row.job_id, row.n);
    return rates;
  }

  /** Counters from the rows themselves, after rows were reset (retry, re-run). */
  async recount(id: string): Promise<void> {
    await this.jobs.query(
      `UPDATE email_jobs j
          SET done_count = c.done, failed_count = c.failed, prompt_tokens = c.pt,
              completion_tokens = c.ct, cost_usd = c.cost
         FROM (SELECT count(*) FILTER (WHERE status = 'done')::int AS done,
                      count(*) FILTER (WHERE status = 'failed')::int AS failed,
                      coalesce(sum(prompt_tokens) FILTER (WHERE status <> 'pending'), 0) AS pt,
                      coalesce(sum(completion_tokens) FILTER (WHERE status <> 'pending'), 0) AS ct,
                      coalesce(sum(cost_usd) FILTER (WHERE status <> 'pending'), 0) AS cost
                 FROM email_rows WHERE job_id = $1) c
        WHERE j.id = $1`,
      [id],
    );
  }

  /** Processing jobs (of these) whose every row is done or failed. */
  async findFinished(ids?: readonly string[]): Promise<string[]> {
    const rows: { id: string }[] = await this.jobs.query(
      `SELECT j.id FROM email_jobs j
        WHERE j.processing_status = 'processing'
          AND ($1::uuid[] IS NULL OR j.id = ANY($1::uuid[]))
          AND NOT EXISTS (SELECT 1 FROM email_rows r WHERE r.job_id = j.id AND r.status = 'pending')`,
      [ids ?? null],
    );
    return rows.map((row) => row.id);
  }
}
