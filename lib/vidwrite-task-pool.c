/* The threads of a writer's pipeline: one thread a streaming task, joined when the task stops.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GStreamer's default task pool keeps finished threads parked in GLib's shared thread pools for
 * a while.  A process that forks meanwhile (Python's multiprocessing, PyTorch's DataLoader) hands
 * its child the pools' bookkeeping without the threads, and the child's next task waits for a
 * thread that does not exist: its write hangs.  A writer's tasks therefore run on threads of
 * their own, started for the task and joined when the pipeline stops, so that between writes
 * vidwrite keeps no thread alive and a fork finds nothing to lose.
 */
#include "vidwrite-private.h"

#include <pthread.h>

GST_DEBUG_CATEGORY_STATIC (vw_task_pool_debug);
#define GST_CAT_DEFAULT vw_task_pool_debug

typedef struct
{
  GstTaskPool parent_instance;
} VwTaskPool;

typedef struct
{
  GstTaskPoolClass parent_class;
} VwTaskPoolClass;

GType vw_task_pool_get_type (void);
G_DEFINE_TYPE (VwTaskPool, vw_task_pool, GST_TYPE_TASK_POOL)

typedef struct
{
  GstTaskPoolFunction func;
  gpointer user_data;
} Job;

static gpointer
run_job (gpointer data)
{
  Job job = *(Job *)data;

  g_free (data);
  job.func (job.user_data);
  return NULL;
}

static void
vw_task_pool_prepare (GstTaskPool *pool, GError **error)
{
}

static void
vw_task_pool_cleanup (GstTaskPool *pool)
{
}

static gpointer
vw_task_pool_push (GstTaskPool *pool, GstTaskPoolFunction func, gpointer user_data, GError **error)
{
  Job *job = g_new (Job, 1);
  GThread *thread;

  job->func = func;
  job->user_data = user_data;
  thread = g_thread_try_new ("vidwrite-task", run_job, job, error);
  if (!thread)
    g_free (job);
  GST_DEBUG_OBJECT (pool, "started thread %p", thread);
  return thread;
}

static void
vw_task_pool_join (GstTaskPool *pool, gpointer id)
{
  GST_DEBUG_OBJECT (pool, "joining thread %p", id);
  g_thread_join (id);
}

static void
vw_task_pool_class_init (VwTaskPoolClass *klass)
{
  GstTaskPoolClass *pool_class = GST_TASK_POOL_CLASS (klass);

  pool_class->prepare = vw_task_pool_prepare;
  pool_class->cleanup = vw_task_pool_cleanup;
  pool_class->push = vw_task_pool_push;
  pool_class->join = vw_task_pool_join;
  GST_DEBUG_CATEGORY_INIT (vw_task_pool_debug, "vidwrite-task-pool", 0,
                           "vidwrite's one-thread-a-task pool");
}

static void
vw_task_pool_init (VwTaskPool *self)
{
}

/* The pool is stateless (each task owns its thread), so every writer shares one. */
GstTaskPool *
vw_task_pool_get (void)
{
  static GstTaskPool *pool;

  if (g_once_init_enter (&pool))
    {
      GstTaskPool *made = g_object_new (vw_task_pool_get_type (), NULL);

      gst_object_ref_sink (made);
      g_once_init_leave (&pool, made);
    }
  return pool;
}

/* Threads of ours that have handed over their result and are on their way out.  The result's
 * callback may fork at once, while such a thread still runs its last steps (the end of a
 * g_source_attach() under the caller's main context's lock, GLib's thread-exit cleanup under
 * its slice allocator's): a child forked then inherits such a lock held for ever, and hangs.
 * So before a fork() these threads are joined; otherwise the next thread of ours joins them.
 * (Joining them in the callback's main context instead would stall it whenever the exiting
 * thread waits for a CPU.)  After saying it exits, a thread must take no lock a forking thread
 * could hold: it drops no object (a writer's last unref may need Python's GIL). */
static GMutex exiting_lock;
static GPtrArray *exiting; /* GThread, each a reference for g_thread_join() */

static void
join_locked (void)
{
  while (exiting && exiting->len)
    g_thread_join (g_ptr_array_steal_index_fast (exiting, exiting->len - 1));
}

/* pthread_atfork(): the lock is held across fork(), so that no thread adds itself meanwhile. */
static void
before_fork (void)
{
  g_mutex_lock (&exiting_lock);
  join_locked ();
}

static void
after_fork (void)
{
  g_mutex_unlock (&exiting_lock);
}

void
vw_thread_exiting (void)
{
  static gsize registered;

  if (g_once_init_enter (&registered))
    {
      pthread_atfork (before_fork, after_fork, after_fork);
      g_once_init_leave (&registered, 1);
    }
  g_mutex_lock (&exiting_lock);
  if (!exiting)
    exiting = g_ptr_array_new ();
  g_ptr_array_add (exiting, g_thread_ref (g_thread_self ()));
  g_mutex_unlock (&exiting_lock);
}

void
vw_thread_reap (void)
{
  g_mutex_lock (&exiting_lock);
  join_locked ();
  g_mutex_unlock (&exiting_lock);
}
