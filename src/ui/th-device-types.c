/* th-device-types.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "th-device-types.h"

typedef struct
{
  guint32 id;
  const char *name;
} DeviceType;

/* The device types a person may meet in a home, from the Matter Device Library; utility
 * types (root node, power source...) never name a whole device and are left out. Sorted. */
static const DeviceType device_types[] = {
  { 0x000A, N_("Door Lock") },
  { 0x000B, N_("Door Lock Controller") },
  { 0x000E, N_("Bridge") },
  { 0x000F, N_("Switch") },
  { 0x0015, N_("Contact Sensor") },
  { 0x0022, N_("Speaker") },
  { 0x0023, N_("Casting Video Player") },
  { 0x0028, N_("Video Player") },
  { 0x002B, N_("Fan") },
  { 0x002C, N_("Air Quality Sensor") },
  { 0x002D, N_("Air Purifier") },
  { 0x0041, N_("Water Freeze Detector") },
  { 0x0042, N_("Water Valve") },
  { 0x0043, N_("Water Leak Detector") },
  { 0x0044, N_("Rain Sensor") },
  { 0x0070, N_("Refrigerator") },
  { 0x0072, N_("Air Conditioner") },
  { 0x0073, N_("Washing Machine") },
  { 0x0074, N_("Robot Vacuum") },
  { 0x0075, N_("Dishwasher") },
  { 0x0076, N_("Smoke and CO Alarm") },
  { 0x0077, N_("Cooktop") },
  { 0x0079, N_("Range Hood") },
  { 0x007B, N_("Oven") },
  { 0x007C, N_("Clothes Dryer") },
  { 0x0100, N_("Light") },
  { 0x0101, N_("Dimmable Light") },
  { 0x0103, N_("Light Switch") },
  { 0x0104, N_("Dimmer Switch") },
  { 0x0105, N_("Color Dimmer Switch") },
  { 0x0106, N_("Light Sensor") },
  { 0x0107, N_("Occupancy Sensor") },
  { 0x010A, N_("Plug") },
  { 0x010B, N_("Dimmable Plug") },
  { 0x010C, N_("Color Temperature Light") },
  { 0x010D, N_("Color Light") },
  { 0x0202, N_("Window Covering") },
  { 0x0203, N_("Window Covering Controller") },
  { 0x0300, N_("Heating and Cooling Unit") },
  { 0x0301, N_("Thermostat") },
  { 0x0302, N_("Temperature Sensor") },
  { 0x0303, N_("Pump") },
  { 0x0305, N_("Pressure Sensor") },
  { 0x0306, N_("Flow Sensor") },
  { 0x0307, N_("Humidity Sensor") },
  { 0x050C, N_("EV Charger") },
  { 0x050D, N_("Water Heater") },
  { 0x0840, N_("Control Bridge") },
  { 0x0850, N_("On/Off Sensor") },
};

static int
compare_id (const void *key,
            const void *element)
{
  guint32 id = *(const guint32 *) key;
  const DeviceType *type = element;

  return id < type->id ? -1 : id > type->id ? 1 : 0;
}

const char *
th_device_type_describe (guint32 device_type)
{
  const DeviceType *found = bsearch (&device_type, device_types, G_N_ELEMENTS (device_types),
                                     sizeof device_types[0], compare_id);

  return found != NULL ? _(found->name) : NULL;
}
