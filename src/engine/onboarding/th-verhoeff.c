/* th-verhoeff.c: the Verhoeff check digit of manual pairing codes (specification 5.1.4.1)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "th-setup-payload.h"

/* The multiplication table of the dihedral group D5. */
static const guint8 d5_mul[10][10] = {
  { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 },
  { 1, 2, 3, 4, 0, 6, 7, 8, 9, 5 },
  { 2, 3, 4, 0, 1, 7, 8, 9, 5, 6 },
  { 3, 4, 0, 1, 2, 8, 9, 5, 6, 7 },
  { 4, 0, 1, 2, 3, 9, 5, 6, 7, 8 },
  { 5, 9, 8, 7, 6, 0, 4, 3, 2, 1 },
  { 6, 5, 9, 8, 7, 1, 0, 4, 3, 2 },
  { 7, 6, 5, 9, 8, 2, 1, 0, 4, 3 },
  { 8, 7, 6, 5, 9, 3, 2, 1, 0, 4 },
  { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 },
};

/* Row i is the permutation (0 1 5 8 9 4 2 7)(3 6) applied i times; it repeats after 8. */
static const guint8 permutation[8][10] = {
  { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 },
  { 1, 5, 7, 6, 2, 8, 3, 0, 9, 4 },
  { 5, 8, 0, 3, 7, 9, 6, 1, 4, 2 },
  { 8, 9, 1, 6, 0, 4, 3, 5, 2, 7 },
  { 9, 4, 5, 3, 1, 2, 6, 8, 7, 0 },
  { 4, 2, 8, 6, 5, 7, 3, 9, 0, 1 },
  { 2, 7, 9, 3, 8, 0, 6, 4, 1, 5 },
  { 7, 0, 4, 6, 9, 1, 3, 2, 5, 8 },
};

static const guint8 inverse[10] = { 0, 4, 3, 2, 1, 5, 6, 7, 8, 9 };

/* Runs the digits through the group from the right; first_position is the position of the
 * rightmost digit (1 when a check digit is still to be appended, 0 when it is included).
 * Returns -1 on a character that is not a digit. */
static int
verhoeff_sum (const char *digits,
              gsize       len,
              guint       first_position)
{
  guint8 c = 0;

  for (gsize i = 0; i < len; i++)
    {
      char ch = digits[len - 1 - i];

      if (ch < '0' || ch > '9')
        return -1;
      c = d5_mul[c][permutation[(i + first_position) % 8][ch - '0']];
    }
  return c;
}

int
th_verhoeff_compute (const char *digits,
                     gssize      len)
{
  int c;

  g_return_val_if_fail (digits != NULL || len == 0, -1);

  if (len < 0)
    len = (gssize) strlen (digits);
  c = verhoeff_sum (digits, (gsize) len, 1);
  return c < 0 ? -1 : inverse[c];
}

gboolean
th_verhoeff_validate (const char *digits_with_check,
                      gssize      len)
{
  g_return_val_if_fail (digits_with_check != NULL || len == 0, FALSE);

  if (len < 0)
    len = (gssize) strlen (digits_with_check);
  return len > 0 && verhoeff_sum (digits_with_check, (gsize) len, 0) == 0;
}
