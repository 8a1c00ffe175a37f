import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An API token (`api_tokens`, migration in libs/database): only the SHA-256 of its secret is kept. Epoch ms. */
@Entity({ name: 'api_tokens' })
export class ApiTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  @Column({ name: 'token_hash', type: 'varchar', length: 64, unique: true }) tokenHash!: string;
  @Column({ name: 'expires_at', type: 'bigint' }) expiresAt!: string;
  @Column({ name: 'created_at', type: 'bigint' }) createdAt!: string;
}
