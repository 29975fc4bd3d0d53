// The index of a seekable archive (manifest format 1.2, DESIGN.md section 10): where each gzip member lies in
// resources.tar.gz, so a reader can fetch one resource type with HTTP Range GETs and check it on its own.
// The members tile the archive: the head (metadata/version), then the types' members in the order they
// were closed, then the tail (the tar end-of-archive blocks). Every member holds whole tar entries. A type's
// first entries (up to MemberArchive's smallTypeBytes) go to a member shared by all types, so the many
// small types of a cluster share deflate's dictionary as in one stream: that member is listed under each
// type with entries in it, each row with that type's objects in it.

/** One gzip member of the archive, as listed under one type (or as the head or tail). */
export interface IndexMember {
  /** Byte offset of the member in resources.tar.gz. */
  offset: number;
  /** Bytes of the member (gzipped). */
  length: number;
  /** Kubernetes objects of the listing type in the member (a shared member holds other types' too). */
  objects: number;
  /** Hex SHA-256 of the member's gzipped bytes. */
  sha256: string;
}

/** The members of one resource type, in archive order. */
export interface IndexType {
  /** Velero-style resource name, as in the manifest's resource rows. */
  name: string;
  /** Objects over all of the type's members. */
  objects: number;
  members: IndexMember[];
}

/** manifest.json `index` (since 1.2.0). */
export interface ArchiveIndex {
  /** The member holding `metadata/version`; always at offset 0, no objects. */
  head: IndexMember;
  /** One row per type with objects (a type with none has no member). */
  types: IndexType[];
  /** The member holding the tar end-of-archive blocks; always last, no objects. */
  tail: IndexMember;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** One distinct member of the archive with every type that has entries in it. */
export interface ArchiveMember {
  offset: number;
  length: number;
  sha256: string;
  /** Objects per type in the member; empty for the head and the tail. */
  types: Map<string, number>;
  role: 'head' | 'objects' | 'tail';
}

/** Every distinct member of the index in archive order (head, the types' members by offset, tail). */
export function membersInArchiveOrder(index: ArchiveIndex): ArchiveMember[] {
  const byOffset = new Map<number, ArchiveMember>();
  for (const type of index.types) {
    for (const m of type.members) {
      const member = byOffset.get(m.offset) ?? { offset: m.offset, length: m.length, sha256: m.sha256, types: new Map(), role: 'objects' as const };
      member.types.set(type.name, (member.types.get(type.name) ?? 0) + m.objects);
      byOffset.set(m.offset, member);
    }
  }
  const edge = (m: IndexMember, role: 'head' | 'tail'): ArchiveMember => ({ offset: m.offset, length: m.length, sha256: m.sha256, types: new Map(), role });
  return [edge(index.head, 'head'), ...[...byOffset.values()].sort((a, b) => a.offset - b.offset), edge(index.tail, 'tail')];
}

/** The members holding entries of `resourceName`, in archive order. */
export function membersOfType(index: ArchiveIndex, resourceName: string): ArchiveMember[] {
  return membersInArchiveOrder(index).filter((m) => m.types.has(resourceName));
}

/**
 * Problems with a manifest's `index`, given the archive's size; empty when the members tile the archive
 * exactly (no gap, no overlap, head first, tail last). Object counts against the manifest's rows are the
 * reader's to check, as it checks the archive's (a problem of the recovery point, not of the manifest's form).
 */
export function validateIndex(value: unknown, archiveBytes: unknown): string[] {
  if (!isRecord(value)) return ['index must be an object'];
  const problems: string[] = [];
  const head = value['head'];
  const tail = value['tail'];
  problems.push(...memberProblems(head, 'index.head'), ...memberProblems(tail, 'index.tail'));
  const types = value['types'];
  if (!Array.isArray(types)) return [...problems, 'index.types must be an array'];
  const names = new Set<string>();
  types.forEach((row: unknown, i) => {
    const where = `index.types[${i}]`;
    if (!isRecord(row)) return problems.push(`${where} must be an object`);
    if (typeof row['name'] !== 'string' || row['name'] === '') problems.push(`${where}.name must be a non-empty string`);
    else if (names.has(row['name'])) problems.push(`${where}.name ${row['name']} appears twice`);
    else names.add(row['name']);
    if (!isCount(row['objects'])) problems.push(`${where}.objects must be a non-negative integer`);
    const members = row['members'];
    if (!Array.isArray(members) || members.length === 0) return problems.push(`${where}.members must be a non-empty array`);
    members.forEach((m: unknown, j) => problems.push(...memberProblems(m, `${where}.members[${j}]`)));
    const sum = members.reduce((n: number, m: unknown) => n + (isRecord(m) && isCount(m['objects']) ? m['objects'] : 0), 0);
    if (isCount(row['objects']) && sum !== row['objects']) problems.push(`${where}: members hold ${sum} objects, the row says ${row['objects']}`);
    return undefined;
  });
  if (problems.length > 0) return problems;

  // Shapes are sound: now the layout. A member listed by several types (the shared one) is the same member.
  const index = value as unknown as ArchiveIndex;
  if (index.head.offset !== 0) problems.push('index.head must start the archive (offset 0)');
  if (index.head.objects !== 0 || index.tail.objects !== 0) problems.push('index.head and index.tail hold no objects');
  const seen = new Map<number, IndexMember>();
  for (const type of index.types) {
    for (const m of type.members) {
      const other = seen.get(m.offset);
      if (other && (other.length !== m.length || other.sha256 !== m.sha256)) problems.push(`index: two members at offset ${m.offset} differ in length or SHA-256`);
      seen.set(m.offset, m);
    }
  }
  let at = 0;
  for (const m of membersInArchiveOrder(index)) {
    const what = m.role === 'objects' ? `a member of ${[...m.types.keys()].join(', ')}` : `the ${m.role}`;
    if (m.offset !== at) problems.push(`index: ${what} starts at ${m.offset}, the previous one ends at ${at}`);
    at = m.offset + m.length;
  }
  if (isCount(archiveBytes) && at !== archiveBytes) problems.push(`index: members end at ${at}, the archive is ${archiveBytes} bytes`);
  return problems;
}

function memberProblems(value: unknown, where: string): string[] {
  if (!isRecord(value)) return [`${where} must be an object`];
  const problems: string[] = [];
  for (const field of ['offset', 'objects'] as const) {
    if (!isCount(value[field])) problems.push(`${where}.${field} must be a non-negative integer`);
  }
  // The smallest gzip member (header, empty deflate block, trailer) is 20 bytes.
  if (!isCount(value['length']) || value['length'] < 20) problems.push(`${where}.length must be an integer >= 20`);
  if (typeof value['sha256'] !== 'string' || !SHA256_HEX.test(value['sha256'])) problems.push(`${where}.sha256 must be 64 lowercase hex digits`);
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
