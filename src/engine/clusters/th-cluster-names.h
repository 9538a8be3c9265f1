/* th-cluster-names.h: the names of clusters, attributes and commands, for messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The names are the specification's identifiers ("Basic Information", "VendorName",
 * "ArmFailSafe"), which stay untranslated; the phrases around them are translated. Only the
 * clusters in th-clusters.h are known; anything else is named by its number.
 */
#pragma once

#include <glib.h>

#include "im/th-im.h"

G_BEGIN_DECLS

/* NULL when unknown */
const char *th_cluster_get_name   (guint32 cluster);
/* The global attributes (AttributeList, FeatureMap...) are known on every cluster. */
const char *th_attribute_get_name (guint32 cluster,
                                   guint32 attribute);
const char *th_command_get_name   (guint32 cluster,
                                   guint32 command);

/* "VendorName of Basic Information on endpoint 0", "attribute 0x0099 of cluster 0xfc00 on
 * endpoint 1"; the wildcards of a request path read "every attribute", "every cluster",
 * "every endpoint". */
char       *th_attribute_describe (guint16 endpoint,
                                   guint32 cluster,
                                   guint32 attribute);
/* The paths of a read: one as above; several of one cluster and endpoint as "VendorName,
 * ProductName of Basic Information on endpoint 0"; others as "3 attribute paths". */
char       *th_attribute_paths_describe (const ThImAttributePath *paths,
                                         gsize                    n_paths);
/* "ArmFailSafe of General Commissioning on endpoint 0" */
char       *th_command_describe   (guint16 endpoint,
                                   guint32 cluster,
                                   guint32 command);

G_END_DECLS
