/**
 * The one atomic file write of ipurl's outputs (export --output, pac --output, docs --output,
 * watch/sync --output): readers see the old file or the new one, never a mixture.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Write a file so readers see the old or the new content, never a mixture (rename is atomic).
 * A file that exists keeps its mode and (where the process may set it) its owner and group; a
 * new file is 0644. The data and then the folder entry are flushed to disk (fsync of the file,
 * then of the folder), so a power cut leaves the old file or the new one.
 */
export async function writeFileAtomic(path: string, content: string | Buffer): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  const previous = await stat(path).catch(() => undefined);
  const mode = previous === undefined ? 0o644 : previous.mode & 0o7777;
  const temp = join(
    folder,
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    const handle = await open(temp, 'w', mode);
    try {
      await handle.writeFile(content);
      await handle.chmod(mode); // open's mode is reduced by the umask
      if (
        previous !== undefined &&
        (previous.uid !== process.getuid?.() || previous.gid !== process.getgid?.())
      ) {
        await handle.chown(previous.uid, previous.gid).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'EPERM') throw error; // not root: the file becomes ours
        });
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  const directory = await open(folder, 'r').catch(() => undefined);
  if (directory !== undefined) {
    try {
      await directory.sync();
    } catch {
      // some file systems cannot fsync a folder; the rename itself is still atomic
    } finally {
      await directory.close();
    }
  }
}
