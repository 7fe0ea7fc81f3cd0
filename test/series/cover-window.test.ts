/**
 * The cover letter says what closes the window and why,
 * when the spec declares guard.recheck, and says nothing of it otherwise.
 */
import { describe, expect, it } from "vitest";
import { coverBlurb } from "../../src/series/cover.js";
import { normalize } from "../../src/model/normalize.js";
import { lower } from "../../src/lower/index.js";
import { GMEM_SPEC } from "../fixtures/gmem-spec.js";

const blurb = (recheck: boolean) => {
  const model = normalize(recheck ? { ...GMEM_SPEC, guard: { ...GMEM_SPEC.guard!, recheck: { at: "filemap_add", lock: "invalidate_lock" } } } : GMEM_SPEC);
  const lowered = lower(model);
  const window = lowered.window;
  return coverBlurb({
    model,
    series: lowered.series,
    ...(window ? { window } : {}),
    version: 5,
    baseSha: "a".repeat(40),
    baseName: "master",
    testing: {},
    commitSubjects: [],
  }).replace(/\n/g, " ");
};

describe("cover letter: the re-check under the invalidate lock", () => {
  it("names the check, the lock and its order, the errno, the __do_userfault() requirement and the rejected alternative", () => {
    const t = blurb(true);
    expect(t).toMatch(/kvm_gmem_is_shared_mem\(\) is checked again in kvm_gmem_uffd_filemap_add\(\), under the mapping's invalidate lock taken shared/);
    expect(t).toMatch(/Conversion takes the invalidate lock for write/);
    expect(t).toMatch(/\(mmap_lock, invalidate_lock, folio lock\)/);
    expect(t).toMatch(/returns -EACCES/);
    expect(t).toMatch(/tell it from -ENOMEM/);
    expect(t).toMatch(/__do_userfault\(\) raises MISSING only for an absent folio/);
    expect(t).toMatch(/across the fill was rejected/);
    // The lookup's check is made under the same lock, and the cover letter says why.
    expect(t).toMatch(/kvm_gmem_uffd_get_folio\(\) checks it and takes the folio under the same lock, as kvm_gmem_fault_user_mapping\(\) does/);
    expect(t).toMatch(/UFFDIO_CONTINUE would map a private page/);
  });
  it("is absent without guard.recheck", () => {
    expect(blurb(false)).not.toMatch(/invalidate lock/);
  });
});
