/* th-im-fields.h: one pass over the members of a TLV structure or list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Interaction Model messages and the cluster command fields are structures whose members
 * are found by context tag. ThImFields walks such a container once, hands out each member with
 * a context tag, refuses a tag that comes twice, skips members it does not know (newer
 * revisions add fields) and turns every failure into a TH_ERROR_IM_PROTOCOL error that names
 * the container, the field and the byte offset.
 */
#pragma once

#include <glib.h>

#include "tlv/th-tlv.h"

G_BEGIN_DECLS

typedef struct
{
  /*< private >*/
  ThTlvReader *reader;
  const char *what;           /* names the container in errors, e.g. "ArmFailSafeResponse" */
  guint32 seen[8];            /* one bit per context tag */
  guint8 tag;                 /* the context tag of the current member */
} ThImFields;

/* The reader is on a container of `type` (a structure or a list), which is entered. `what`
 * must outlive `fields`. */
gboolean th_im_fields_enter       (ThImFields    *fields,
                                   ThTlvReader   *reader,
                                   ThTlvType      type,
                                   const char    *what,
                                   GError       **error);
/* Opens `data`, which must be exactly one structure with any tag, and enters it. */
gboolean th_im_fields_open        (ThImFields    *fields,
                                   ThTlvReader   *reader,
                                   const guint8  *data,
                                   gsize          len,
                                   const char    *what,
                                   GError       **error);
/* Moves to the next member with a context tag and puts the tag in `tag`. At the end it steps
 * out of the container and returns FALSE with error unset; on malformed input it returns
 * FALSE with error set. */
gboolean th_im_fields_next        (ThImFields    *fields,
                                   guint8        *tag,
                                   GError       **error);
gboolean th_im_fields_has         (const ThImFields *fields,
                                   guint8         tag);
/* Fails with "the field `name` (tag) is missing" when the member was not seen. */
gboolean th_im_fields_require     (const ThImFields *fields,
                                   guint8         tag,
                                   const char    *name,
                                   GError       **error);

/* Typed getters for the current member; each error names the field and its byte offset. */
gboolean th_im_fields_get_uint    (const ThImFields *fields,
                                   guint64        max,
                                   guint64       *value,
                                   GError       **error);
gboolean th_im_fields_get_int     (const ThImFields *fields,
                                   gint64         min,
                                   gint64         max,
                                   gint64        *value,
                                   GError       **error);
gboolean th_im_fields_get_bool    (const ThImFields *fields,
                                   gboolean      *value,
                                   GError       **error);
gboolean th_im_fields_is_null     (const ThImFields *fields);
/* Points into the buffer being read. */
gboolean th_im_fields_get_bytes   (const ThImFields *fields,
                                   gsize          min_len,
                                   gsize          max_len,
                                   const guint8 **bytes,
                                   gsize         *len,
                                   GError       **error);
/* A newly allocated, NUL-terminated copy of a UTF-8 string of at most max_len bytes. */
gboolean th_im_fields_dup_string  (const ThImFields *fields,
                                   gsize          max_len,
                                   char         **str,
                                   GError       **error);
/* The encoded member, tag included. */
gboolean th_im_fields_get_element (const ThImFields *fields,
                                   const guint8 **element,
                                   gsize         *len,
                                   GError       **error);
/* Checks that the current member is an array and enters it: its items are then walked with
 * th_tlv_reader_next until it returns FALSE, and th_tlv_reader_exit steps back out. */
gboolean th_im_fields_enter_array (const ThImFields *fields,
                                   GError       **error);
/* Passes `local` on (taking it) as a TH_ERROR_IM_PROTOCOL error that names the container:
 * errors from the TLV reader get the container's name in front. */
void     th_im_fields_propagate   (const char    *what,
                                   GError       **error,
                                   GError        *local);

/* `len` bytes for the caller to fill through `data`, wiped when the last reference to the
 * GBytes goes: for encodings that carry secrets. */
GBytes  *th_im_wiped_bytes_new    (gsize          len,
                                   guint8       **data);

G_END_DECLS
