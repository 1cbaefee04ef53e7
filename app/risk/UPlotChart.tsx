// uPlot in React: the chart is created in an effect and destroyed in its cleanup, so StrictMode's
// mount-unmount-mount leaves exactly one chart; it follows its container's width.
import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

export interface UPlotChartProps {
  /** Options without width (taken from the container); a new object recreates the chart. */
  readonly options: Omit<uPlot.Options, 'width'>
  /** A new array updates the data without recreating the chart. */
  readonly data: uPlot.AlignedData
  readonly label: string
}

export function UPlotChart({ options, data, label }: UPlotChartProps) {
  const box = useRef<HTMLDivElement>(null)
  const chart = useRef<uPlot | null>(null)
  const latestData = useRef(data)
  latestData.current = data

  useEffect(() => {
    const el = box.current
    if (!el) return
    const u = new uPlot({ ...options, width: Math.max(200, el.clientWidth) }, latestData.current, el)
    chart.current = u
    const ro = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth)
      if (w !== u.width) u.setSize({ width: w, height: options.height })
    })
    ro.observe(el)
    return () => {
      ro.disconnect()
      u.destroy()
      if (chart.current === u) chart.current = null
    }
  }, [options])

  useEffect(() => {
    chart.current?.setData(data)
  }, [data])

  return <div ref={box} className="uplot-box" role="img" aria-label={label} />
}
