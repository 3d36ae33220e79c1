# bash completion for vidwrite                                  -*- shell-script -*-
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Options come from `vidwrite --help`, codec names and their option keys from
# `vidwrite --list-codecs`, both asked of the command being completed, so that the list is
# always the one of the installed library and of the GStreamer plugins present.  Needs nothing
# from the bash-completion package.

# The codecs of one kind ("Video" or "Audio") that can be written here, one a line; with a
# codec name as $3, the option keys that codec takes instead.
_vidwrite_codecs ()
{
    "$1" --list-codecs 2>/dev/null | awk -v kind="$2" -v codec="$3" '
        /^[A-Z]/ { section = ($1 == kind); next }
        !section || NF < 2 { next }
        $1 == "options:" { if (codec != "" && last == codec) for (i = 2; i <= NF; i++) print $i; next }
        $2 == "unavailable:" { last = ""; next }
        { last = $1; if (codec == "") print $1 }'
}

_vidwrite ()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev="" cword=$COMP_CWORD
    local cmd=${COMP_WORDS[0]}
    ((cword > 0)) && prev=${COMP_WORDS[cword - 1]}
    # "--codec=lib": bash splits at "=" (COMP_WORDBREAKS), giving "--codec" "=" "lib".
    local after_equals=""
    if [[ $cur == = ]]; then
        cur="" after_equals=1
    elif [[ $prev == = ]] && ((cword > 1)); then
        prev=${COMP_WORDS[cword - 2]} after_equals=1
    fi
    COMPREPLY=()

    case $prev in
        -c | --codec)
            COMPREPLY=($(compgen -W "$(_vidwrite_codecs "$cmd" Video)" -- "$cur"))
            return
            ;;
        --audio-codec)
            COMPREPLY=($(compgen -W "$(_vidwrite_codecs "$cmd" Audio)" -- "$cur"))
            return
            ;;
        -o | --option | --audio-option)
            # KEY= of the codec chosen earlier on the line (libx264 by default).
            local kind=Video codec=libx264 i
            [[ $prev == --audio-option ]] && kind=Audio codec=""
            for ((i = 1; i < cword - 1; i++)); do
                local word=${COMP_WORDS[i + 1]}
                [[ $word == = ]] && word=${COMP_WORDS[i + 2]}
                case $kind:${COMP_WORDS[i]} in
                    Video:-c | Video:--codec | Audio:--audio-codec) codec=$word ;;
                esac
            done
            if [[ -n $codec && $cur != *=* ]]; then
                compopt -o nospace 2>/dev/null
                COMPREPLY=($(compgen -S = -W "$(_vidwrite_codecs "$cmd" "$kind" "$codec")" -- "$cur"))
            fi
            return
            ;;
        -p | --pix-fmt)
            COMPREPLY=($(compgen -W "rgb24 bgr24 rgba bgra gray yuv420p nv12 yuv444p rgb48le gray16le" -- "$cur"))
            return
            ;;
        -s | --size | -r | --fps | --audio-rate | --audio-channels | --ar | --ac | -ar | -ac | -j | --workers)
            return
            ;;
        -i | --input | -a | --audio | --jobs)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -f -- "$cur"))
            return
            ;;
    esac

    # The value of an option this does not know (crf=, after -o crf=).
    [[ -n $after_equals ]] && return
    if [[ $cur == -* ]]; then
        local opts
        opts=$("$cmd" --help 2>/dev/null | sed -n 's/^  \(-[^-], \)\{0,1\}\(--[a-z0-9-]*\).*/\2/p')
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _vidwrite vidwrite
