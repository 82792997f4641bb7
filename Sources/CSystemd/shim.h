/* libsystemd's daemon helpers: sd_notify and socket activation (sd_listen_fds). */
#include <systemd/sd-daemon.h>
