/* th-tlv.h: Matter TLV reader and writer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Deep enough for every Interaction Model message; deeper input is refused. */
#define TH_TLV_MAX_DEPTH 24

typedef enum
{
  TH_TLV_TYPE_NONE,           /* no element: before the first, or at a container's end */
  TH_TLV_TYPE_SIGNED_INT,
  TH_TLV_TYPE_UNSIGNED_INT,
  TH_TLV_TYPE_BOOLEAN,
  TH_TLV_TYPE_FLOAT,          /* single or double precision; value is a double */
  TH_TLV_TYPE_UTF8_STRING,
  TH_TLV_TYPE_BYTE_STRING,
  TH_TLV_TYPE_NULL,
  TH_TLV_TYPE_STRUCTURE,
  TH_TLV_TYPE_ARRAY,
  TH_TLV_TYPE_LIST,
} ThTlvType;

typedef enum
{
  TH_TLV_TAG_ANONYMOUS,
  TH_TLV_TAG_CONTEXT,         /* number 0..255 */
  TH_TLV_TAG_COMMON_PROFILE,  /* number 0..0xFFFFFFFF, 2- or 4-byte form */
  TH_TLV_TAG_IMPLICIT_PROFILE,
  TH_TLV_TAG_FULLY_QUALIFIED, /* vendor_id, profile_number, number */
} ThTlvTagKind;

typedef struct
{
  ThTlvTagKind kind;
  guint16 vendor_id;
  guint16 profile_number;
  guint32 number;
} ThTlvTag;

#define TH_TLV_ANONYMOUS ((ThTlvTag) { TH_TLV_TAG_ANONYMOUS, 0, 0, 0 })
#define TH_TLV_CONTEXT(n) ((ThTlvTag) { TH_TLV_TAG_CONTEXT, 0, 0, (n) })
#define TH_TLV_COMMON(n) ((ThTlvTag) { TH_TLV_TAG_COMMON_PROFILE, 0, 0, (n) })
#define TH_TLV_IMPLICIT(n) ((ThTlvTag) { TH_TLV_TAG_IMPLICIT_PROFILE, 0, 0, (n) })
#define TH_TLV_FULLY_QUALIFIED(v, p, n) ((ThTlvTag) { TH_TLV_TAG_FULLY_QUALIFIED, (v), (p), (n) })

gboolean th_tlv_tag_equal (ThTlvTag a, ThTlvTag b);
gboolean th_tlv_tag_is_context (ThTlvTag tag, guint32 number);

/* The reader walks a buffer it does not own, one element at a time, and never reads past
 * `len`. Every failure is a TH_ERROR_TLV_* error naming the byte offset; a reader that failed
 * stays where it was, so the same call fails again. Any tag is accepted at the top level,
 * which may hold several elements in a row. Strings are checked for UTF-8 only by
 * th_tlv_reader_get_string. The reader holds no resources: a copy of it may look ahead. */
typedef struct
{
  /*< private >*/
  const guint8 *data;
  gsize len;
  gsize pos;                  /* where the next element starts */
  guint depth;
  ThTlvType container_types[TH_TLV_MAX_DEPTH + 1];
  gsize container_starts[TH_TLV_MAX_DEPTH + 1];

  /* the current element */
  gsize element_start;
  gsize element_end;          /* for containers: the end of the header until skipped */
  gsize content_start;        /* for containers: where the members begin */
  ThTlvType type;
  ThTlvTag tag;
  guint64 uint_value;
  gint64 int_value;
  double float_value;
  const guint8 *bytes;
  gsize bytes_len;
  gboolean container_skipped;
} ThTlvReader;

void         th_tlv_reader_init         (ThTlvReader   *reader,
                                         const guint8  *data,
                                         gsize          len);
/* Moves to the next element of the current container (or of the top level). Returns TRUE
 * when positioned on an element; FALSE at the end of the container or input (error unset)
 * or on malformed input (error set). A container not entered is skipped whole. */
gboolean     th_tlv_reader_next         (ThTlvReader   *reader,
                                         GError       **error);
ThTlvType    th_tlv_reader_get_type     (const ThTlvReader *reader);
ThTlvTag     th_tlv_reader_get_tag      (const ThTlvReader *reader);
guint        th_tlv_reader_get_depth    (const ThTlvReader *reader);
/* Enter the container the reader is on; th_tlv_reader_next then walks its members. */
gboolean     th_tlv_reader_enter        (ThTlvReader   *reader,
                                         GError       **error);
/* Skip what is left of the current container and step out of it; th_tlv_reader_next then
 * moves to the element after the container. */
gboolean     th_tlv_reader_exit         (ThTlvReader   *reader,
                                         GError       **error);
/* Moves to the member of the current container (or of the top level) with the context tag
 * `number`, wherever it is in the container. Returns FALSE with error unset when there is
 * none (the reader is then at the container's end), FALSE with error set on malformed input. */
gboolean     th_tlv_reader_find_context (ThTlvReader   *reader,
                                         guint8         number,
                                         GError       **error);
/* Typed getters: each fails with TH_ERROR_TLV_TYPE when the element is of another type (or
 * there is none), and the 8-, 16- and 32-bit ones with TH_ERROR_TLV_OVERFLOW when the value
 * does not fit.
 *
 * Signedness is part of an integer's type, as in the Matter data model: get_uint reads only
 * unsigned integers and get_int only signed ones, whatever the value. */
gboolean     th_tlv_reader_get_uint     (const ThTlvReader *reader,
                                         guint64       *value,
                                         GError       **error);
gboolean     th_tlv_reader_get_uint8    (const ThTlvReader *reader,
                                         guint8        *value,
                                         GError       **error);
gboolean     th_tlv_reader_get_uint16   (const ThTlvReader *reader,
                                         guint16       *value,
                                         GError       **error);
gboolean     th_tlv_reader_get_uint32   (const ThTlvReader *reader,
                                         guint32       *value,
                                         GError       **error);
gboolean     th_tlv_reader_get_int      (const ThTlvReader *reader,
                                         gint64        *value,
                                         GError       **error);
gboolean     th_tlv_reader_get_bool     (const ThTlvReader *reader,
                                         gboolean      *value,
                                         GError       **error);
gboolean     th_tlv_reader_get_double   (const ThTlvReader *reader,
                                         double        *value,
                                         GError       **error);
/* Points into the reader's buffer; not NUL-terminated. */
gboolean     th_tlv_reader_get_bytes    (const ThTlvReader *reader,
                                         const guint8 **bytes,
                                         gsize         *len,
                                         GError       **error);
/* Validated UTF-8 without NUL characters; points into the buffer, not NUL-terminated. */
gboolean     th_tlv_reader_get_string   (const ThTlvReader *reader,
                                         const char   **str,
                                         gsize         *len,
                                         GError       **error);
/* The encoded bytes of the current element (tag included); for a container, the whole
 * container through its end marker. */
gboolean     th_tlv_reader_get_element  (ThTlvReader   *reader,
                                         const guint8 **start,
                                         gsize         *len,
                                         GError       **error);
/* The byte offset of the current element; between elements, of where the reader stands. */
gsize        th_tlv_reader_get_offset   (const ThTlvReader *reader);

/* The writer appends to a GByteArray it owns and always uses the shortest encoding for
 * integers, lengths and tags. Misuse (a tag a container does not allow, a context tag above
 * 255, unbalanced containers, invalid UTF-8) is a programming error: it is reported with
 * g_critical and the element is not written. */
typedef struct
{
  /*< private >*/
  GByteArray *buffer;
  guint depth;
  ThTlvType container_types[TH_TLV_MAX_DEPTH + 1];
} ThTlvWriter;

void         th_tlv_writer_init           (ThTlvWriter *writer);
void         th_tlv_writer_clear          (ThTlvWriter *writer);
/* Returns the encoding and resets the writer. All containers must have been ended. */
GBytes      *th_tlv_writer_finish         (ThTlvWriter *writer);
const guint8 *th_tlv_writer_peek          (const ThTlvWriter *writer,
                                           gsize       *len);
void         th_tlv_writer_put_uint       (ThTlvWriter *writer,
                                           ThTlvTag     tag,
                                           guint64      value);
void         th_tlv_writer_put_int        (ThTlvWriter *writer,
                                           ThTlvTag     tag,
                                           gint64       value);
void         th_tlv_writer_put_bool       (ThTlvWriter *writer,
                                           ThTlvTag     tag,
                                           gboolean     value);
void         th_tlv_writer_put_float      (ThTlvWriter *writer,
                                           ThTlvTag     tag,
                                           float        value);
void         th_tlv_writer_put_double     (ThTlvWriter *writer,
                                           ThTlvTag     tag,
                                           double       value);
void         th_tlv_writer_put_null       (ThTlvWriter *writer,
                                           ThTlvTag     tag);
void         th_tlv_writer_put_string     (ThTlvWriter *writer,
                                           ThTlvTag     tag,
                                           const char  *str,
                                           gssize       len);
void         th_tlv_writer_put_bytes      (ThTlvWriter *writer,
                                           ThTlvTag     tag,
                                           const guint8 *bytes,
                                           gsize        len);
/* Appends an already-encoded element as it is (for elements kept opaque). It must be exactly
 * one well-formed element with a tag the current container allows. */
void         th_tlv_writer_put_raw        (ThTlvWriter *writer,
                                           const guint8 *element,
                                           gsize        len);
void         th_tlv_writer_start_structure (ThTlvWriter *writer,
                                            ThTlvTag     tag);
void         th_tlv_writer_start_array    (ThTlvWriter *writer,
                                           ThTlvTag     tag);
void         th_tlv_writer_start_list     (ThTlvWriter *writer,
                                           ThTlvTag     tag);
void         th_tlv_writer_end_container  (ThTlvWriter *writer);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ThTlvWriter, th_tlv_writer_clear)

G_END_DECLS
