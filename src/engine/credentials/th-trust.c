/* th-trust.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "credentials/th-trust.h"

char *
th_trust_default_directory (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  return g_build_filename (g_get_user_cache_dir (), "threshold", name, NULL);
}

gboolean
th_trust_load_defaults (ThPaaStore   *paa_store,
                        ThCdSigners  *cd_signers,
                        GPtrArray   **warnings,
                        GError      **error)
{
  g_autofree char *paa_dir = th_trust_default_directory ("paa");
  g_autofree char *cd_dir = th_trust_default_directory ("cd-signers");
  guint n_added = 0;

  g_return_val_if_fail (paa_store != NULL, FALSE);
  g_return_val_if_fail (cd_signers != NULL, FALSE);

  if (g_file_test (paa_dir, G_FILE_TEST_IS_DIR)
      && !th_paa_store_add_directory (paa_store, paa_dir, &n_added, warnings, error))
    return FALSE;
  g_debug ("%u PAA certificates from %s", n_added, paa_dir);
  if (g_file_test (cd_dir, G_FILE_TEST_IS_DIR)
      && !th_cd_signers_add_directory (cd_signers, cd_dir, FALSE, warnings, error))
    return FALSE;
  return TRUE;
}
